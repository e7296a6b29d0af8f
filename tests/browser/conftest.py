"""What the browser tests share beyond tests/conftest.py."""

import pytest


@pytest.fixture
def live_app(serve, local_htmx):
    """The demo app on 127.0.0.1, with the pinned htmx served from a local stand-in CDN."""
    return serve(**local_htmx)
