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


def create_app(test_config: dict | None = None) -> Flask:
    """Build the web app. It never starts a scheduler: `dashboard serve` or `dashboard
    scheduler` runs exactly one, beside however many web processes there are."""
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

    from dashboard import api, cli, db, errors, health, i18n, live, public, templating

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
    return app
