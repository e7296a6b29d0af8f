"""The feed tests' fixtures: their feed server, and the app with short download timeouts."""

from __future__ import annotations

import pytest

from tests.helpers.feeds import ROUTES, feed_server


@pytest.fixture
def server():
    with feed_server(ROUTES) as running:
        yield running


@pytest.fixture
def feed_app(app):
    app.config.update(FEED_CONNECT_TIMEOUT=2.0, FEED_READ_TIMEOUT=0.5, FEED_TOTAL_TIMEOUT=10.0)
    return app
