"""Fixtures after flaskr: an app on a fresh database per test, its client and CLI runner.

With DATABASE_URL pointing at PostgreSQL, each test gets a database of its own on that server,
created and dropped here; otherwise a SQLite file in the test's temporary folder.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid

import pytest
import sqlalchemy as sa
import time_machine

from dashboard import create_app, sitefile, store

REFERENCE_INSTANT = dt.datetime(2020, 1, 26, 17, 58, tzinfo=dt.UTC)


def _postgres_url() -> sa.URL | None:
    raw = os.environ.get("DATABASE_URL", "")
    if not raw.startswith("postgresql"):
        return None
    return sa.make_url(raw)


@pytest.fixture
def database_url(tmp_path):
    server = _postgres_url()
    if server is None:
        yield f"sqlite:///{tmp_path / 'test.sqlite3'}"
        return
    name = f"dashboard_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def empty_app(database_url, tmp_path):
    """An app whose database has the schema but no site yet."""
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "test",
        }
    )
    store.migrate(app.extensions["dashboard.store"])
    yield app
    app.extensions["dashboard.store"].engine.dispose()


@pytest.fixture
def app(empty_app):
    """An app with the demo content: the reference page of 26 January 2020."""
    sitefile.load(empty_app.extensions["dashboard.store"], sitefile.read_file(sitefile.DEMO_PATH))
    return empty_app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def at_reference():
    """Freeze the clock at the reference capture: 17:58 London, 26 January 2020."""
    with time_machine.travel(REFERENCE_INSTANT, tick=False) as traveller:
        yield traveller
