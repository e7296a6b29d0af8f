"""Choosing a language for a request: `?lang=`, then the `lang` cookie, then Accept-Language,
then the site's own."""

from __future__ import annotations

import dataclasses
from functools import lru_cache

from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header
from werkzeug.wrappers import Request

from dashboard.i18n.languages import DEFAULT_LOCALE, LANGUAGES, locales

COOKIE = "lang"


@dataclasses.dataclass(frozen=True)
class Choice:
    """The language for a request, and whether the URL alone decided it (cache-friendly)."""

    locale: str
    explicit: bool


def choose(request: Request, site_locale: str, asked: str | None = None) -> Choice:
    """`asked` is the URL's `?lang=` as the view read it (web/params.py), if any."""
    # Every public request asks this: parse only what the request has.
    environ = request.environ
    if asked in LANGUAGES:
        return Choice(asked, explicit=True)
    cookie = request.cookies.get(COOKIE, "") if environ.get("HTTP_COOKIE") else ""
    if cookie in LANGUAGES:
        return Choice(cookie, explicit=False)
    best = _best_accepted(environ.get("HTTP_ACCEPT_LANGUAGE", ""), locales())
    return Choice(best or site_locale or DEFAULT_LOCALE, explicit=False)


@lru_cache(maxsize=1024)
def _best_accepted(header: str, known: tuple[str, ...]) -> str | None:
    """Readers send few distinct Accept-Language strings; each is parsed once."""
    if not header:
        return None
    return parse_accept_header(header, LanguageAccept).best_match(known, default=None)


def accepted(header: str) -> str | None:
    """The best of our languages for an Accept-Language header, if any is acceptable."""
    return _best_accepted(header, locales())
