"""Fixtures after flaskr: an app on a fresh database per test, its client and CLI runner.

Each folder is a tier: unit/ and web/ are the fast tier; system/ starts processes, nginx or a
wheel build; browser/ drives Chromium. Tests are marked by their folder, so that
`pytest -m "not browser and not system"` runs the fast tier alone.

With DATABASE_URL pointing at PostgreSQL, each test gets a database of its own on that server,
created and dropped here; otherwise a SQLite file in the test's temporary folder.
The browser tests' fixtures (Chromium, the pinned htmx, the app served on 127.0.0.1) follow.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine
from flask import Flask
from playwright.sync_api import sync_playwright

from dashboard import config, create_app
from dashboard.content import sitefile, store
from dashboard.content.store import EXTENSION as STORE
from tests.helpers.browser import AppServer, FileServer, launch_chromium, pinned_htmx
from tests.helpers.reference import REFERENCE_INSTANT


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
    admin = _admin_engine(server)
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _admin_engine(server: sa.URL) -> sa.Engine:
    return sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")


def _make_app(database_url: str, instance: Path) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(instance),
            "SECRET_KEY": "test",
        }
    )


@pytest.fixture(scope="session")
def templates(tmp_path_factory) -> dict[str, str]:
    """Two databases built once per run, the schema alone and the schema with the demo; each
    test's database starts as a copy of one (a file copy on SQLite, CREATE DATABASE … TEMPLATE
    on PostgreSQL), which saves the migrations and the load in every test."""
    folder = tmp_path_factory.mktemp("templates")
    server = _postgres_url()
    if server is None:
        urls = {kind: f"sqlite:///{folder / kind}.sqlite3" for kind in ("schema", "demo")}
    else:
        run = uuid.uuid4().hex[:8]
        names = {kind: f"dashboard_template_{run}_{kind}" for kind in ("schema", "demo")}
        admin = _admin_engine(server)
        with admin.connect() as connection:
            for name in names.values():
                connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        urls = {k: server.set(database=n).render_as_string(False) for k, n in names.items()}
    for kind, url in urls.items():
        made = _make_app(url, folder / kind)
        store.migrate(made.extensions[STORE])
        if kind == "demo":
            sitefile.load(made.extensions[STORE], sitefile.read_file(sitefile.DEMO_PATH))
        made.extensions[STORE].engine.dispose()  # a template must have no connections
    yield urls
    if server is not None:
        with admin.connect() as connection:
            for name in names.values():
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _copy_of(template_url: str, database_url: str) -> None:
    """Make the (empty, unused) test database a copy of the template."""
    template, target = sa.make_url(template_url), sa.make_url(database_url)
    if target.get_backend_name() == "sqlite":
        shutil.copyfile(template.database, target.database)
        return
    admin = _admin_engine(target)
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE "{target.database}"'))
        connection.execute(
            sa.text(f'CREATE DATABASE "{target.database}" TEMPLATE "{template.database}"')
        )
    admin.dispose()


@contextlib.contextmanager
def _app_from(template_url: str, database_url: str, instance: Path):
    _copy_of(template_url, database_url)
    made = _make_app(database_url, instance)
    yield made
    made.extensions[STORE].engine.dispose()


@pytest.fixture
def empty_app(database_url, tmp_path, templates):
    """An app whose database has the schema but no site yet."""
    with _app_from(templates["schema"], database_url, tmp_path / "instance") as made:
        yield made


@pytest.fixture
def app(database_url, tmp_path, templates):
    """An app with the demo content: the reference page of 26 January 2020."""
    with _app_from(templates["demo"], database_url, tmp_path / "instance") as made:
        yield made


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
    return {"HTMX_URL": htmx_server.url("/htmx.min.js"), "HTMX_INTEGRITY": config.HTMX_SRI}


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


TIERS = {"browser": pytest.mark.browser, "system": pytest.mark.system}


def pytest_collection_modifyitems(items):
    for item in items:
        tier = item.path.parent.name
        if tier in TIERS:
            item.add_marker(TIERS[tier])
