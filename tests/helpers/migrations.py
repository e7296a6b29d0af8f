"""A database left at an older migration, as an upgrade finds it."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from dashboard import create_app
from dashboard.content import store
from dashboard.content.store import EXTENSION as STORE

OLD_SITE = sa.text(
    "INSERT INTO site (id, title, timezone, contact, locale, latest_count, revision) "
    "VALUES (1, 'Old', 'UTC', '', 'en', 10, 1)"
)


def app_at_migration(database_url: str, instance: str, revision: str) -> tuple[Flask, store.Store]:
    """An app whose database stands at `revision`, with the site row that version kept."""
    app = create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": instance, "SECRET_KEY": "t"})
    the_store = app.extensions[STORE]
    store.migrate(the_store, revision)
    with the_store.engine.begin() as connection:
        connection.execute(OLD_SITE)
    return app, the_store
