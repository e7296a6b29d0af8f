"""The admin tests' signed-in client."""

from __future__ import annotations

import pytest

from tests.helpers.admin import log_in, make_admin


@pytest.fixture
def admin_client(app, at_reference):
    make_admin(app)
    client = app.test_client()
    assert log_in(client).status_code == 303
    return client
