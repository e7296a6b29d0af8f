"""The admin's security: accounts from the CLI, sign-in with a throttle kept in the store,
signed cookies, CSRF on every write, and a SECRET_KEY to start. What it edits:
test_admin_editing.py."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from werkzeug.security import check_password_hash

from dashboard import config, create_app
from dashboard.content import models, sitefile, store
from dashboard.content.store import EXTENSION as STORE
from dashboard.web.admin.blueprint import PUBLIC_ENDPOINTS
from dashboard.web.auth import accounts, secretkey
from tests.helpers.admin import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    csrf_token,
    dump,
    log_in,
    make_admin,
    post_form,
)


# -- accounts -------------------------------------------------------------------------------
def test_create_admin_asks_twice_and_keeps_only_a_scrypt_hash(app):
    runner = app.test_cli_runner()
    mismatch = runner.invoke(
        args=["create-admin", "a@example.org"], input="long enough pass\nanother one here\n" * 3
    )
    assert mismatch.exit_code != 0
    short = runner.invoke(args=["create-admin", "a@example.org"], input="short\nshort\n")
    assert short.exit_code == 1 and "at least 12 characters" in short.output
    made = runner.invoke(
        args=["create-admin", "A@Example.org"], input="long enough pass\nlong enough pass\n"
    )
    assert made.exit_code == 0, made.output
    assert "Created admin a@example.org" in made.output
    with app.extensions[STORE].session() as db:
        user = db.scalars(sa.select(models.AdminUser)).one()
    assert user.password_hash.startswith("scrypt:")
    assert "long enough pass" not in user.password_hash
    assert check_password_hash(user.password_hash, "long enough pass")
    again = runner.invoke(
        args=["create-admin", "a@example.org", "--password-stdin"], input="x" * 20
    )
    assert again.exit_code == 1 and "already exists; use --reset" in again.output
    reset = runner.invoke(
        args=["create-admin", "a@example.org", "--password-stdin", "--reset"],
        input="a brand new password\n",
    )
    assert reset.exit_code == 0 and "Changed the password" in reset.output
    client = app.test_client()
    assert log_in(client, "a@example.org", "long enough pass").status_code == 401
    assert log_in(client, "a@example.org", "a brand new password").status_code == 303


def test_password_from_stdin_has_a_minimum_length_too(app):
    result = app.test_cli_runner().invoke(
        args=["create-admin", "b@example.org", "--password-stdin"], input="tooshort\n"
    )
    assert result.exit_code == 1 and "at least 12 characters" in result.output


# -- access ---------------------------------------------------------------------------------
def admin_urls(app) -> list[tuple[str, set[str]]]:
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("admin.") and rule.endpoint not in PUBLIC_ENDPOINTS:
            url = re.sub(r"<int:\w+>", "1", rule.rule)
            # One rule may serve several lists: <any(counters, clocks):kind>, each in turn.
            kinds = re.search(r"<any\(([^)]*)\):\w+>", url)
            for kind in kinds.group(1).split(", ") if kinds else [None]:
                shown = url.replace(kinds.group(0), kind) if kinds else url
                found.append((shown, rule.methods - {"HEAD", "OPTIONS"}))
    return found


def test_every_admin_route_sends_anonymous_visitors_to_sign_in(app, at_reference):
    client = app.test_client()
    urls = admin_urls(app)
    assert len(urls) >= 20
    token = csrf_token(client)
    before = dump(app)
    for url, methods in urls:
        for method in methods:
            data = {"csrf_token": token, "title": "x"} if method == "POST" else None
            response = client.open(url, method=method, data=data)
            assert response.status_code == 302, (method, url)
            assert response.location.startswith("/admin/login?next=/admin"), (method, url)
        hx = client.get(url, headers={"HX-Request": "true"}) if "GET" in methods else None
        if hx is not None:
            assert hx.status_code == 401 and hx.headers["HX-Redirect"].startswith("/admin/login")
    assert dump(app) == before


def test_sign_in_goes_back_where_asked_but_never_off_site(app, at_reference):
    make_admin(app)
    client = app.test_client()
    token = csrf_token(client)
    data = {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "csrf_token": token}
    back = client.post("/admin/login?next=/admin/counters", data=data)
    assert back.location == "/admin/counters"
    for target in ("https://evil.example/admin", "//evil.example/admin", "/statements"):
        client = app.test_client()
        data["csrf_token"] = csrf_token(client)
        response = client.post("/admin/login", query_string={"next": target}, data=data)
        assert response.location == "/admin/", target


def test_sign_out_ends_the_session(admin_client):
    assert admin_client.get("/admin/").status_code == 200
    out = post_form(admin_client, "/admin/logout", {})
    assert out.status_code == 303
    assert admin_client.get("/admin/").status_code == 302


def test_a_changed_password_ends_other_sessions(app, admin_client):
    assert admin_client.get("/admin/").status_code == 200
    result = app.test_cli_runner().invoke(
        args=["create-admin", ADMIN_EMAIL, "--reset", "--password-stdin"],
        input="another good password\n",
    )
    assert result.exit_code == 0
    assert admin_client.get("/admin/").status_code == 302


def test_session_cookie_is_signed_httponly_lax_and_secure_over_https(app, at_reference):
    make_admin(app)
    plain = log_in(app.test_client())
    cookie = plain.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert re.match(r"dashboard_session=[\w-]+\.[\w-]+\.[\w-]+;", cookie)  # signed
    secure_client = app.test_client()
    token = csrf_token(secure_client)
    over_https = secure_client.post(
        "/admin/login",
        base_url="https://localhost",
        headers={"Referer": "https://localhost/admin/login"},
        data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "csrf_token": token},
    )
    assert over_https.status_code == 303
    assert "Secure" in over_https.headers["Set-Cookie"]


def test_behind_a_proxy_the_forwarded_scheme_and_address_count(database_url, tmp_path):
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(tmp_path),
            "SECRET_KEY": "a proxy test key",
            "PROXY_COUNT": 1,
        }
    )
    the_store = app.extensions[STORE]
    store.migrate(the_store)
    sitefile.load(the_store, sitefile.read_file(sitefile.DEMO_PATH))
    make_admin(app)
    client = app.test_client()
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    page = client.get("/admin/login", headers=forwarded)
    assert "Secure" in page.headers["Set-Cookie"]
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    client.post(
        "/admin/login",
        headers={**forwarded, "Referer": "https://localhost/admin/login"},
        data={"email": ADMIN_EMAIL, "password": "wrong", "csrf_token": token},
    )
    with the_store.session() as db:
        assert db.scalars(sa.select(models.LoginFailure.address)).all() == ["203.0.113.9"]
    the_store.engine.dispose()


# -- the throttle ----------------------------------------------------------------------------
def attempt(client, password: str, email: str = ADMIN_EMAIL, address: str = "198.51.100.1"):
    token = csrf_token(client)
    return client.post(
        "/admin/login",
        data={"email": email, "password": password, "csrf_token": token},
        environ_overrides={"REMOTE_ADDR": address},
    )


def test_five_wrong_passwords_lock_the_account_and_the_address(app, at_reference):
    make_admin(app)
    make_admin(app, "other@embassy.example")
    client = app.test_client()
    for _ in range(5):
        assert attempt(client, "wrong password").status_code == 401
    locked = attempt(client, ADMIN_PASSWORD)  # even the right password is refused now
    assert locked.status_code == 429
    text = locked.get_data(as_text=True)
    assert "Too many wrong passwords" in text and "try again in 15 minutes" in text
    # The account from elsewhere, and another account from here: both refused.
    assert attempt(client, ADMIN_PASSWORD, address="192.0.2.7").status_code == 429
    assert attempt(client, ADMIN_PASSWORD, "other@embassy.example").status_code == 429
    # Another process sees the same failures: they are in the store, not in memory.
    other = create_app(
        {"DATABASE_URL": app.config["DATABASE_URL"], "INSTANCE_PATH": app.instance_path,
         "SECRET_KEY": "another process"}
    )  # fmt: skip
    assert attempt(other.test_client(), ADMIN_PASSWORD).status_code == 429
    other.extensions[STORE].engine.dispose()
    at_reference.shift(dt.timedelta(minutes=10))
    assert "try again in 5 minutes" in attempt(client, ADMIN_PASSWORD).get_data(as_text=True)
    at_reference.shift(dt.timedelta(minutes=5))
    assert attempt(client, ADMIN_PASSWORD).status_code == 303


def test_failures_spread_over_more_than_the_window_do_not_lock(app, at_reference):
    make_admin(app)
    client = app.test_client()
    for _ in range(4):
        attempt(client, "wrong")
    at_reference.shift(dt.timedelta(minutes=16))
    for _ in range(4):
        attempt(client, "wrong")
    assert attempt(client, ADMIN_PASSWORD).status_code == 303


def test_an_unknown_account_counts_against_the_address(app, at_reference):
    make_admin(app)
    client = app.test_client()
    for number in range(5):
        assert attempt(client, "guess", email=f"nobody{number}@example.org").status_code == 401
    assert attempt(client, ADMIN_PASSWORD).status_code == 429
    assert attempt(client, ADMIN_PASSWORD, address="192.0.2.99").status_code == 303


# -- CSRF -------------------------------------------------------------------------------------
def test_every_write_needs_a_csrf_token(app, admin_client):
    before = dump(app)
    forms = {
        "/admin/statements/new": {"title": "No token", "published": "2020-01-26T10:00"},
        "/admin/counters/1/move": {"direction": "down"},
        "/admin/clocks/1/delete": {},
        "/admin/site": {"title": "Hijacked", "timezone": "UTC", "locale": "en"},
        "/admin/feeds/new": {"url": "http://127.0.0.1:9/feed", "interval_minutes": "5"},
        "/admin/logout": {},
    }
    for url, data in forms.items():
        response = admin_client.post(url, data=data)
        assert response.status_code == 400, url
        assert "CSRF token is missing" in response.get_data(as_text=True)
        forged = admin_client.post(url, data={**data, "csrf_token": "forged"})
        assert forged.status_code == 400, url
    assert dump(app) == before
    assert admin_client.get("/admin/").status_code == 200  # still signed in


# -- SECRET_KEY ---------------------------------------------------------------------------------
def test_the_app_refuses_to_start_without_a_secret_key(database_url, tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    config = {"DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path)}
    with pytest.raises(secretkey.MissingSecretKey, match="SECRET_KEY is not set"):
        create_app(config)
    cli_app = create_app(config, require_secret_key=False)  # the CLI's own process
    assert cli_app.config["SECRET_KEY"] is None
    tests_app = create_app({**config, "TESTING": True})
    assert len(tests_app.config["SECRET_KEY"]) == 64
    path, created = secretkey.ensure_key_file(tmp_path)
    assert created and oct(path.stat().st_mode & 0o777) == "0o600"
    assert secretkey.ensure_key_file(tmp_path) == (path, False)
    from_file = create_app(config)
    assert from_file.config["SECRET_KEY"] == path.read_text().strip()
    monkeypatch.setenv("SECRET_KEY", "from the environment")
    assert create_app(config).config["SECRET_KEY"] == "from the environment"
    for made in (cli_app, tests_app, from_file):
        made.extensions[STORE].engine.dispose()


def test_outside_the_tests_passwords_get_scrypt_at_its_full_cost(app):
    """The tests' apps hash cheaply (tests/helpers/databases.py); a deployment must not."""
    assert config.defaults()["PASSWORD_HASH_METHOD"] == "scrypt"
    with app.app_context():
        app.config["PASSWORD_HASH_METHOD"] = config.defaults()["PASSWORD_HASH_METHOD"]
        assert accounts.hash_password("long enough pass").startswith("scrypt:32768:8:1$")
