"""dashboard: a live "days since" dashboard."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from dashboard import settings

PACKAGE = Path(__file__).parent


def _asset_folder(name: str) -> str:
    """Installed wheels carry templates/ and static/ inside the package; a checkout keeps them
    at the top level, as the design card lays out."""
    inside = PACKAGE / name
    return str(inside if inside.is_dir() else PACKAGE.parent / name)


def create_app(test_config: dict | None = None, *, require_secret_key: bool = True) -> Flask:
    """Build the web app. It never starts a scheduler: `dashboard serve` or `dashboard
    scheduler` runs exactly one, beside however many web processes there are.

    Without a SECRET_KEY (setting, or the instance folder's key file) it raises, unless testing
    or debugging; the `dashboard` CLI passes require_secret_key=False for its own process."""
    instance_path = (test_config or {}).get("INSTANCE_PATH") or os.environ.get("INSTANCE_PATH")
    app = Flask(
        __name__,
        template_folder=_asset_folder("templates"),
        static_folder=_asset_folder("static"),
        instance_path=instance_path,
        instance_relative_config=True,
    )
    app.config.from_mapping(settings.defaults())
    app.config.update(settings.from_environment())
    if test_config:
        app.config.update(test_config)
    from dashboard import secretkey

    secretkey.init_app(app, required=require_secret_key)

    from dashboard import (
        api,
        badges,
        cli,
        db,
        embed,
        errors,
        health,
        i18n,
        live,
        public,
        templating,
    )

    db.init_app(app)
    live_pages = live.LivePages(app)
    app.extensions["dashboard.live"] = live_pages
    public.register_views(live_pages)
    api.register_views(live_pages)
    templating.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    app.register_blueprint(public.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(health.bp)
    embed.init_app(app)  # /embed, its builder, oEmbed, and the framing headers of every response
    badges.init_app(app)
    from dashboard import admin, api_statements, atom, auth, export, feeds, tokens

    auth.init_app(app)  # sessions, CSRF on every state-changing request, create-admin
    admin.init_app(app)  # /admin
    api_statements.init_app(app)  # /api/v1/statements: bearer tokens, exempt from CSRF
    atom.init_app(app)  # /feed.atom
    feeds.init_app(app)
    tokens.init_app(app)
    export.init_app(app)
    return app
