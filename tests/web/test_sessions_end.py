"""An admin's sessions end on the server: after signing out, a password reset or removing
the account, a copy of the old cookie opens nothing. Signing out ends the account's sessions
in every browser, and no other account's."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from dashboard.content import models, store
from dashboard.content.store import EXTENSION as STORE
from dashboard.web.auth import accounts
from tests.helpers.admin import (
    ADMIN_EMAIL,
    _password_hash,
    make_admin,
    post_form,
    signed_in_client,
)
from tests.helpers.migrations import app_at_migration

# A module of a second or more: in the full suite, not the fast tier.
pytestmark = pytest.mark.system

COOKIE = "dashboard_session"
OTHER = "other@embassy.example"


def signed_in(client) -> bool:
    """Whether the client's session opens the admin, asked where neither answer renders a
    page: signed in, the sign-in page sends on to the admin; signed out, the admin sends to
    the sign-in page."""
    response = client.get("/admin/login")
    if response.status_code == 302 and response.location == "/admin/":
        return True
    response = client.get("/admin/")
    assert response.status_code == 302 and response.location.startswith("/admin/login")
    return False


def replay(app, cookie: str):
    """A browser that was never signed in, holding a copy of someone's session cookie."""
    client = app.test_client()
    client.set_cookie(COOKIE, cookie)
    return client


def end_by_signing_out(app, client, monkeypatch):
    assert post_form(client, "/admin/logout", {}).status_code == 303


def end_by_resetting_the_password(app, client, monkeypatch):
    """As `create-admin --reset` does (the command itself: test_admin.py), without its
    migration check and its scrypt, which cost this test most of a second."""
    new_hash = _password_hash("a brand new password")  # hashed once a run
    monkeypatch.setattr(accounts, "hash_password", lambda _password: new_hash)
    assert not accounts.create_or_reset(app.extensions[STORE], ADMIN_EMAIL, "…", reset=True)


def end_by_removing_the_account(app, client, monkeypatch):
    result = app.test_cli_runner().invoke(args=["remove-admin", ADMIN_EMAIL.upper()])
    assert result.exit_code == 0, result.output
    assert f"Removed admin {ADMIN_EMAIL}" in result.output


@pytest.mark.parametrize(
    "end", [end_by_signing_out, end_by_resetting_the_password, end_by_removing_the_account]
)
def test_a_copied_session_cookie_opens_nothing_once_the_session_ends(
    app, at_reference, monkeypatch, end
):
    make_admin(app)
    make_admin(app, OTHER)
    browser, second_browser = signed_in_client(app), signed_in_client(app)
    other = signed_in_client(app, OTHER)
    copied = browser.get_cookie(COOKIE).value
    assert signed_in(replay(app, copied))
    end(app, browser, monkeypatch)
    for client in (replay(app, copied), browser, second_browser):
        assert not signed_in(client)
    assert signed_in(other)  # another account's sessions go on


def test_signing_out_says_it_ends_every_session(app, at_reference):
    make_admin(app)
    client = signed_in_client(app)
    assert "Sign out press@embassy.example everywhere" in client.get("/admin/").text
    out = post_form(client, "/admin/logout", {})
    assert "signed out, in every browser" in client.get(out.location).text


def test_removing_an_unknown_admin_says_so(app):
    result = app.test_cli_runner().invoke(args=["remove-admin", "nobody@example.org"])
    assert result.exit_code == 1 and "no admin nobody@example.org" in result.output


def test_the_migration_keeps_existing_accounts(database_url, tmp_path):
    app, the_store = app_at_migration(database_url, str(tmp_path), "0004")
    with the_store.engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO admin_users (id, email, password_hash, created_at) "
                "VALUES (1, 'old@example.org', 'scrypt:x', '2020-01-01 00:00:00')"
            )
        )
    store.migrate(the_store)
    with the_store.session() as db:
        assert db.get(models.AdminUser, 1).session_epoch == 0
    signed_in = signed_in_client(app, "old@example.org")
    assert signed_in.get("/admin/").status_code == 200
    config = Config()  # and the downgrade runs
    config.set_main_option("script_location", store.MIGRATIONS)
    with the_store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0004")
    with the_store.engine.connect() as connection:
        columns = {c["name"] for c in sa.inspect(connection).get_columns("admin_users")}
    assert "session_epoch" not in columns and "email" in columns
    the_store.engine.dispose()
