"""Who may write: admin accounts (accounts.py), their sessions (sessions.py), CSRF on every
state-changing form, bearer tokens for the write API (tokens.py) and the key that signs it
all (secretkey.py)."""

from __future__ import annotations

from flask import request, session
from flask_wtf.csrf import CSRFProtect

from dashboard.cache.live import live_pages
from dashboard.web import headers
from dashboard.web.auth import sessions

csrf = CSRFProtect()


def register(app) -> None:
    app.session_interface = sessions.SessionInterface()
    csrf.init_app(app)

    @app.before_request
    def editors_see_their_edits():
        # A signed-in editor's public pages ask the store for its revision first (one small
        # query), so their own edit shows at once, whichever web process answers. Readers'
        # pages catch up when their process next checks, within the minute.
        # Only a request with the session cookie opens the session (which adds Vary: Cookie).
        if request.blueprint in headers.PRIVATE_BLUEPRINTS:
            return
        if request.cookies.get(app.config["SESSION_COOKIE_NAME"]) and session.get(
            sessions.SESSION_KEY
        ):
            live_pages().recheck()
