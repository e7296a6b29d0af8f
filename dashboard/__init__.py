"""dashboard: a live "days since" dashboard.

create_app() reads the configuration, then lets each package register itself: the content
store, the caches, the languages, the web and the command line."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from dashboard import cache, cli, config, content, i18n, logs, web
from dashboard.web.auth import secretkey

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
    environment = config.from_environment()  # a bad value raises SettingError, naming it
    instance_path = (test_config or {}).get("INSTANCE_PATH") or environment.get("INSTANCE_PATH")
    app = Flask(
        __name__,
        template_folder=_asset_folder("templates"),
        static_folder=_asset_folder("static"),
        instance_path=instance_path,
        instance_relative_config=True,
    )
    app.config.from_mapping(config.defaults())
    app.config.update(environment)
    if test_config:
        app.config.update(test_config)
    logs.configure_for(app)  # before anything logs
    secretkey.register(app, required=require_secret_key)
    content.register(app)
    cache.register(app)
    i18n.register(app)
    logs.register(app)  # a request id and an access line for every request
    web.register(app)
    cli.register(app)
    return app
