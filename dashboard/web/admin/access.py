"""Signing in and out of /admin."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, g, redirect, render_template, request, url_for

from dashboard.content.store import current_store
from dashboard.web.admin.blueprint import bp
from dashboard.web.auth import accounts, sessions


def _safe_next(target: str | None) -> str:
    """Only a path inside /admin: never another site (open redirect)."""
    if target:
        parts = urlsplit(target)
        local = not parts.scheme and not parts.netloc and "\\" not in target
        if local and parts.path.startswith("/admin") and not target.startswith("//"):
            return target
    return url_for("admin.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if g.admin is not None:
        return redirect(_safe_next(request.args.get("next")))
    error, status = None, 200
    email = request.form.get("email", "")
    if request.method == "POST":
        try:
            admin = accounts.authenticate(current_store(), email, request.form.get("password", ""))
        except accounts.Throttled as throttled:
            error, status = str(throttled), 429
        else:
            if admin is None:
                error, status = "Wrong e-mail address or password.", 401
            else:
                sessions.log_in(admin)
                return redirect(_safe_next(request.args.get("next")), 303)
    return render_template("admin/login.html", error=error, email=email), status


@bp.post("/logout")
def logout():
    sessions.log_out(g.admin)
    flash("You are signed out, in every browser.")
    return redirect(url_for("admin.login"), 303)
