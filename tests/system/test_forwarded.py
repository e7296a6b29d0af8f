"""Forwarded headers are trusted only as deep as PROXY_COUNT says, by the app and by the web
server alike: with no proxy in front (PROXY_COUNT=0, the default), X-Forwarded-Proto and
X-Forwarded-For from 127.0.0.1 change neither the scheme nor the client's address."""

from __future__ import annotations

import http.client
import urllib.parse

import sqlalchemy as sa

from dashboard import create_app
from dashboard.content import models
from dashboard.content.store import EXTENSION as STORE
from tests.helpers.admin import TOKEN, log_in
from tests.helpers.databases import copy_of
from tests.helpers.servers import HOST
from tests.helpers.serving import dashboard_env, dashboard_serve

FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}


def failed_login_from_a_forged_address(port: int) -> int:
    """Sign in with a wrong password, claiming another address; the answer's status."""
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        connection.request("GET", "/admin/login")
        page = connection.getresponse()
        cookie = page.headers["Set-Cookie"].split(";", 1)[0]
        token = TOKEN.search(page.read().decode()).group(1)
        form = {"email": "nobody@example.org", "password": "wrong", "csrf_token": token}
        connection.request(
            "POST",
            "/admin/login",
            body=urllib.parse.urlencode(form),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": cookie,
                "X-Forwarded-For": FORWARDED["X-Forwarded-For"],
            },
        )
        answer = connection.getresponse()
        answer.read()
        return answer.status
    finally:
        connection.close()


def recorded_addresses(engine: sa.Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.scalars(sa.select(models.LoginFailure.address)))


def test_dashboard_serve_without_a_proxy_ignores_forwarded_headers(app, tmp_path):
    env = dashboard_env(app.config["DATABASE_URL"], tmp_path)
    with dashboard_serve(env, tmp_path, "--no-scheduler", "--workers", "1") as serve:
        _status, headers, _body = serve.get("/admin/login", FORWARDED)
        assert failed_login_from_a_forged_address(serve.port) == 401  # the form, with its error
    cookie = headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "Secure" not in cookie  # the request was plain http
    assert recorded_addresses(app.extensions[STORE].engine) == ["127.0.0.1"]


def test_with_one_proxy_its_headers_are_trusted(database_url, tmp_path, templates):
    """The same observations do show a trusted proxy's headers (one hop deep)."""
    copy_of(templates["demo"], database_url)
    proxied = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "test",
            "PROXY_COUNT": 1,
        }
    )
    try:
        client = proxied.test_client()
        cookie = client.get("/admin/login", headers=FORWARDED).headers["Set-Cookie"]
        assert "Secure" in cookie
        log_in(client, "nobody@example.org", "wrong", headers={"X-Forwarded-For": "203.0.113.7"})
        assert recorded_addresses(proxied.extensions[STORE].engine) == ["203.0.113.7"]
    finally:
        proxied.extensions[STORE].engine.dispose()
