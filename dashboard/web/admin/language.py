"""The admin's language: the menu in the admin bar sets a cookie; without one, the browser's
Accept-Language; then English. Separate from the public page's `lang` cookie, so that reading
the site in one language and editing it in another both stick."""

from __future__ import annotations

from flask import g, redirect, request

from dashboard.i18n import choice
from dashboard.i18n.languages import DEFAULT_LOCALE, LANGUAGES
from dashboard.web.admin.access import safe_next
from dashboard.web.admin.blueprint import PUBLIC_ENDPOINTS, bp

COOKIE = "admin_lang"
YEAR = 365 * 24 * 3600


@bp.before_request
def choose_language():
    chosen = request.cookies.get(COOKIE, "")
    if chosen not in LANGUAGES:
        header = request.environ.get("HTTP_ACCEPT_LANGUAGE", "")
        chosen = choice.accepted(header) or DEFAULT_LOCALE
    g.admin_locale = chosen


@bp.post("/language")
def language():
    """The menu's buttons post here (the sign-in page has it too), then go back."""
    chosen = request.form.get("lang", "")
    response = redirect(safe_next(request.form.get("next")), 303)
    if chosen in LANGUAGES:
        response.set_cookie(
            COOKIE,
            chosen,
            max_age=YEAR,
            path="/admin",
            secure=request.is_secure,
            httponly=True,
            samesite="Lax",
        )
    return response


PUBLIC_ENDPOINTS.add("admin.language")
