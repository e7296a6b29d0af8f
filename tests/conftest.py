"""Fixtures after flaskr: an app on a fresh database per test, its client and CLI runner.

With DATABASE_URL pointing at PostgreSQL, each test gets a database of its own on that server,
created and dropped here; otherwise a SQLite file in the test's temporary folder.
The browser tests' fixtures (Chromium, the pinned htmx, the app served on 127.0.0.1) follow.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import uuid

import pytest
import sqlalchemy as sa
import time_machine
from browser_support import AppServer, FileServer, launch_chromium, pinned_htmx

from dashboard import create_app, settings, sitefile, store

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


# -- the browser tests' fixtures: Debian's Chromium, the pinned htmx, the app on 127.0.0.1 ---
@pytest.fixture(scope="module")
def htmx_bytes() -> bytes:
    return pinned_htmx()


@pytest.fixture(scope="module")
def htmx_server(htmx_bytes):
    files = {
        "/htmx.min.js": htmx_bytes,
        # Same file with one comment more: a browser that checks SRI must refuse to run it.
        "/tampered/htmx.min.js": htmx_bytes + b"\n/* not the pinned file */\n",
    }
    with FileServer(files) as server:
        yield server


@pytest.fixture(scope="module")
def playwright():
    from playwright.sync_api import sync_playwright  # only the browser tests need it

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="module")
def browser(playwright):
    browser = launch_chromium(playwright)
    yield browser
    browser.close()


@pytest.fixture
def serve(app):
    """Start the demo app on 127.0.0.1 with some config overrides; stopped after the test."""
    with contextlib.ExitStack() as stack:

        def start(**config) -> AppServer:
            app.config.update(config)
            return stack.enter_context(AppServer(app))

        yield start


@pytest.fixture
def local_htmx(htmx_server) -> dict:
    return {"HTMX_URL": htmx_server.url("/htmx.min.js"), "HTMX_INTEGRITY": settings.HTMX_SRI}


@pytest.fixture
def new_context(browser, serve):
    """Browser contexts, closed before the app server stops (it depends on `serve`)."""
    contexts = []

    def make(**options):
        # English, whatever the machine's language: the page picks it from Accept-Language.
        context = browser.new_context(**{"locale": "en-GB", **options})
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
