"""Admin sessions: Flask's signed cookie, checked against the store on every request."""

from __future__ import annotations

from flask import Flask, has_request_context, request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

from dashboard.content import models
from dashboard.content.store import current_store
from dashboard.web import headers
from dashboard.web.auth import accounts
from dashboard.web.auth.accounts import Admin

SESSION_KEY = "admin"


def log_in(admin: Admin) -> None:
    session.clear()  # nothing from before the sign-in carries over
    session.permanent = True
    session[SESSION_KEY] = {"id": admin.id, "v": admin.fingerprint}


def log_out(admin: Admin | None) -> None:
    """Sign the admin out everywhere: every session of the account ends on the server, not
    only this browser's cookie (a copy of which would otherwise still open /admin)."""
    if admin is not None:
        accounts.end_sessions(current_store(), admin.id)
    session.clear()


def current_admin() -> Admin | None:
    """The signed-in admin, checked against the store on every request: a deleted account or
    a changed password or a sign-out anywhere ends the session."""
    data = session.get(SESSION_KEY)
    if not isinstance(data, dict) or "id" not in data:
        return None
    with current_store().session() as db:
        user = db.get(models.AdminUser, data["id"])
    signed = accounts.fingerprint(user) if user else None
    if signed is None or signed != data.get("v"):
        return None
    return Admin(user.id, user.email, signed)


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, marked Secure whenever the request itself came over https."""

    def open_session(self, app: Flask, request) -> SecureCookieSession | None:
        # Readers and caches send no session cookie: an empty session needs no signer, and
        # building one costs every public request about 20 µs.
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def should_set_cookie(self, app: Flask, session) -> bool:
        # Flask refreshes a permanent session's cookie on every request; on a public page that
        # would be a Set-Cookie on a page caches share. Only the admin's pages refresh it.
        if session.modified:
            return True
        return request.blueprint in headers.PRIVATE_BLUEPRINTS and super().should_set_cookie(
            app, session
        )

    def get_cookie_secure(self, app: Flask) -> bool:
        if super().get_cookie_secure(app):
            return True
        return has_request_context() and request.is_secure
