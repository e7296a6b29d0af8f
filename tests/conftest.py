"""Fixtures after flaskr: an app on a fresh database per test, its client and CLI runner.

Each folder is a tier: unit/ and web/ are the fast tier; system/ starts processes, nginx or a
wheel build; browser/ drives Chromium. Tests are marked by their folder, so that
`pytest -m "not browser and not system"` runs the fast tier alone. A test in unit/ or web/ that
takes a second or more (real waiting, a large load, many examples) marks itself `system`.

With DATABASE_URL pointing at PostgreSQL, each test gets a database of its own on that server,
created and dropped here; otherwise a SQLite file in the test's temporary folder.
The browser tests' fixtures (Chromium, the pinned htmx, the app served on 127.0.0.1) follow.
"""

from __future__ import annotations

import contextlib
import sys

import pytest
import time_machine
from playwright.sync_api import sync_playwright

from dashboard import config
from tests.helpers.chromium import launch_chromium
from tests.helpers.databases import app_on, build_templates, fresh_database
from tests.helpers.htmx import pinned_htmx
from tests.helpers.reference import REFERENCE_INSTANT
from tests.helpers.routing import share_compiled_builders
from tests.helpers.servers import AppServer, FileServer

# Keep the rewritten test modules between runs even where PYTHONDONTWRITEBYTECODE is set:
# rewriting and compiling every one of them again costs the fast tier seconds a run.
sys.dont_write_bytecode = False
share_compiled_builders()


@pytest.fixture
def database_url(tmp_path):
    with fresh_database(tmp_path) as url:
        yield url


@pytest.fixture(scope="session")
def templates(tmp_path_factory) -> dict[str, str]:
    urls, cleanup = build_templates(tmp_path_factory.mktemp("templates"))
    with cleanup:
        yield urls


@pytest.fixture
def empty_app(tmp_path, templates):
    """An app whose database has the schema but no site yet."""
    with (
        fresh_database(tmp_path, templates["schema"]) as url,
        app_on(url, tmp_path / "instance") as made,
    ):
        yield made


@pytest.fixture
def app(tmp_path, templates):
    """An app with the demo content: the reference page of 26 January 2020."""
    with (
        fresh_database(tmp_path, templates["demo"]) as url,
        app_on(url, tmp_path / "instance") as made,
    ):
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
