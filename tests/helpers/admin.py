"""Helpers for the admin and API tests: an admin, signing in, CSRF tokens, the stored rows."""

from __future__ import annotations

import functools
import re

import sqlalchemy as sa

from dashboard.content import models
from dashboard.content.store import EXTENSION as STORE
from dashboard.web.auth import accounts

ADMIN_EMAIL = "press@embassy.example"
ADMIN_PASSWORD = "correct horse battery staple"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@functools.cache
def _password_hash(password: str) -> str:
    """scrypt is slow by design: each password is hashed once per test run."""
    return accounts.hash_password(password)


def make_admin(app, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD) -> None:
    """An account as `dashboard create-admin` makes it (that command is tested on its own)."""
    with app.extensions[STORE].session() as db, db.begin():
        db.add(models.AdminUser(email=email, password_hash=_password_hash(password)))


def csrf_token(client, url: str = "/admin/login") -> str:
    return TOKEN.search(client.get(url).get_data(as_text=True)).group(1)


def log_in(client, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD, **kwargs):
    token = csrf_token(client)
    return client.post(
        "/admin/login",
        data={"email": email, "password": password, "csrf_token": token},
        **kwargs,
    )


def post_form(client, url: str, data: dict, htmx: bool = False, token_from: str | None = None):
    """A form post as the browser sends it: with the CSRF token of the page it came from."""
    token = csrf_token(client, token_from or "/admin/")
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(url, data={**data, "csrf_token": token}, headers=headers)


def dump(app) -> dict:
    """Every content table's rows, to show that a refused write changed nothing."""
    engine = app.extensions[STORE].engine
    names = ["site", "clocks", "counters", "statements", "feeds", "feed_items"]
    with engine.connect() as connection:
        return {
            name: sorted(
                tuple(str(v) for v in row)
                for row in connection.execute(sa.select(models.Base.metadata.tables[name]))
            )
            for name in names
        }


def statement_row(app, slug: str) -> models.Statement | None:
    with app.extensions[STORE].session() as db:
        return db.scalars(sa.select(models.Statement).where(models.Statement.slug == slug)).first()
