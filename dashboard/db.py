"""The store, attached to the app."""

from __future__ import annotations

from flask import Flask

from dashboard import store


def init_app(app: Flask) -> None:
    url = app.config.get("DATABASE_URL") or store.default_sqlite_url(app.instance_path)
    app.config["DATABASE_URL"] = url
    app.extensions["dashboard.store"] = store.make_store(url)
