"""Who may write: admin accounts (accounts.py), their sessions (sessions.py), CSRF on every
state-changing form, bearer tokens for the write API (tokens.py) and the key that signs it
all (secretkey.py)."""

from __future__ import annotations

from flask_wtf.csrf import CSRFProtect

from dashboard.web.auth import sessions

csrf = CSRFProtect()


def register(app) -> None:
    app.session_interface = sessions.SessionInterface()
    csrf.init_app(app)
