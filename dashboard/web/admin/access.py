"""Signing in and out of /admin."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, g, redirect, render_template, request, url_for

from dashboard import metrics
from dashboard.content.store import current_store
from dashboard.i18n.interface import _, ngettext
from dashboard.web import params
from dashboard.web.admin.blueprint import bp
from dashboard.web.auth import accounts, sessions

# Where to go once signed in: any bad address means the admin's front page, never an error.
LOGIN = params.Query("admin.login", next=params.Verbatim(8000))


def safe_next(target: str | None) -> str:
    """Only a path inside /admin: never another site (open redirect), and nothing that could
    end the Location header (CR, LF) or hide in it (spaces, other control characters)."""
    if target and all(c.isprintable() and not c.isspace() for c in target):
        parts = urlsplit(target)
        local = not parts.scheme and not parts.netloc and "\\" not in target
        if local and parts.path.startswith("/admin") and not target.startswith("//"):
            return target
    return url_for("admin.index")


def _next() -> str:
    try:
        return safe_next(LOGIN.read()["next"])
    except params.BadParameter:
        return url_for("admin.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if g.admin is not None:
        return redirect(_next())
    error, status = None, 200
    email = request.form.get("email", "")
    if request.method == "POST":
        try:
            admin = accounts.authenticate(current_store(), email, request.form.get("password", ""))
        except accounts.Throttled as throttled:
            error = ngettext(
                "Too many wrong passwords for this account or from this address. Sign-in is "
                "refused for now; try again in %(num)s minute.",
                "Too many wrong passwords for this account or from this address. Sign-in is "
                "refused for now; try again in %(num)s minutes.",
                throttled.minutes,
            )
            status = 429
            metrics.count_login_throttled()
        else:
            if admin is None:
                error, status = _("Wrong e-mail address or password."), 401
            else:
                sessions.log_in(admin)
                return redirect(_next(), 303)
    return render_template("admin/login.html", error=error, email=email), status


@bp.post("/logout")
def logout():
    sessions.log_out(g.admin)
    flash(_("You are signed out, in every browser."))
    return redirect(url_for("admin.login"), 303)
