"""Helpers for the admin and API tests: an admin, signing in, CSRF tokens, the stored rows."""

from __future__ import annotations

import functools
import html.parser
import re

import sqlalchemy as sa

from dashboard.content import models
from dashboard.content.store import EXTENSION as STORE
from dashboard.web.auth import accounts, sessions
from tests.helpers.databases import TEST_PASSWORD_HASH_METHOD

ADMIN_EMAIL = "press@embassy.example"
ADMIN_PASSWORD = "correct horse battery staple"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@functools.cache
def _password_hash(password: str) -> str:
    """scrypt is slow by design: each password is hashed once per test run."""
    return accounts.hash_password(password, TEST_PASSWORD_HASH_METHOD)


def make_admin(app, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD) -> None:
    """An account as `dashboard create-admin` makes it (that command is tested on its own)."""
    with app.extensions[STORE].session() as db, db.begin():
        db.add(models.AdminUser(email=email, password_hash=_password_hash(password)))


def signed_in_client(app, email: str = ADMIN_EMAIL):
    """A client holding the session cookie a sign-in gives `email`'s account, without the
    scrypt check a sign-in costs (signing in is tested on its own, in test_admin.py)."""
    with app.extensions[STORE].session() as db:
        user = db.scalars(sa.select(models.AdminUser).where(models.AdminUser.email == email))
        user = user.one()
    client = app.test_client()
    with client.session_transaction() as session:
        session.permanent = True
        session[sessions.SESSION_KEY] = {"id": user.id, "v": accounts.fingerprint(user)}
    return client


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


class _FormReader(html.parser.HTMLParser):
    """What a browser would submit from one form, untouched: checked boxes only (a list for
    several of one name), a select's selected option (else its first), a textarea's text
    without its leading newline."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.found = form_id, False, False
        self.fields: dict[str, str | list[str]] = {}
        self._text: tuple[str, list[str]] | None = None  # the open textarea: name, pieces
        self._select: tuple[str, list[str]] | None = None  # the open select: name, values

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = self.found = True
        if not self.inside or ("name" not in attrs and tag != "option"):
            return
        if tag == "input" and attrs.get("type") not in ("submit", "button"):
            name, value = attrs["name"], attrs.get("value", "on")
            if attrs.get("type") == "checkbox" and "checked" in attrs and name in self.fields:
                before = self.fields[name]
                self.fields[name] = [*([before] if isinstance(before, str) else before), value]
            elif attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self.fields[name] = value
        elif tag == "textarea":
            self._text = (attrs["name"], [])
        elif tag == "select":
            self._select = (attrs["name"], [])
        elif tag == "option" and self._select is not None:
            name, values = self._select
            values.append(attrs.get("value", ""))
            if "selected" in attrs:
                self.fields[name] = values[-1]

    def handle_data(self, data):
        if self._text is not None:
            self._text[1].append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._text is not None:
            name, pieces = self._text
            self.fields[name] = "".join(pieces).removeprefix("\n")
            self._text = None
        elif tag == "select" and self._select is not None:
            name, values = self._select
            if values:
                self.fields.setdefault(name, values[0])
            self._select = None


def form_fields(page: str, form_id: str) -> dict[str, str | list[str]]:
    """The fields of the form with this id as the page offers them, without its CSRF token."""
    reader = _FormReader(form_id)
    reader.feed(page)
    reader.close()
    assert reader.found, f"no form with id {form_id!r}"
    reader.fields.pop("csrf_token", None)
    return reader.fields


def resave(client, url: str, form_id: str):
    """Open an edit form and press Save without changing anything."""
    return post_form(client, url, form_fields(client.get(url).get_data(as_text=True), form_id))


def dump(app) -> dict:
    """Every content table's rows, to show that a refused write changed nothing."""
    engine = app.extensions[STORE].engine
    names = ["site", "clocks", "counters", "topics", "statements", "statement_topics", "feeds"]
    names.append("feed_items")
    with engine.connect() as connection:
        return {
            name: sorted(
                tuple(str(v) for v in row)
                for row in connection.execute(sa.select(models.Base.metadata.tables[name]))
            )
            for name in names
        }


def revision(app) -> int:
    """The content revision: every content write bumps it."""
    with app.extensions[STORE].session() as db:
        return db.get(models.Site, 1).revision


def statement_row(app, slug: str) -> models.Statement | None:
    with app.extensions[STORE].session() as db:
        return db.scalars(sa.select(models.Statement).where(models.Statement.slug == slug)).first()
