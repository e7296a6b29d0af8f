"""The stored content: tables, migrations, reading what a snapshot needs, and every write
(site files, the admin, the API, feeds), each checked the same way."""

from __future__ import annotations

from dashboard.content import store


def register(app) -> None:
    url = app.config.get("DATABASE_URL") or store.default_sqlite_url(app.instance_path)
    app.config["DATABASE_URL"] = url
    app.extensions[store.EXTENSION] = store.make_store(url)
