"""Interface language: gettext catalogues (Babel) and choosing a language for a request.

The choice is `?lang=`, then the `lang` cookie, then Accept-Language, then the site's own.
"""

from __future__ import annotations

import io
from functools import cache, lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from flask import Flask, Request
from jinja2 import pass_context
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from dashboard.captions import DEFAULT_LOCALE, LOCALES

CATALOGUES = Path(__file__).parent / "translations"
LANGUAGE_NAMES = {"en": "English", "ru": "Русский"}
COOKIE = "lang"


@cache
def translations(locale: str) -> NullTranslations:
    """Compiled in memory from the .po file, so the repository holds no binary catalogue."""
    path = CATALOGUES / locale / "LC_MESSAGES" / "messages.po"
    if not path.is_file():
        return NullTranslations()
    with path.open("rb") as po:
        catalogue = read_po(po, locale=locale)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    return Translations(compiled)


def gettext(locale: str, text: str) -> str:
    return translations(locale).gettext(text)


class Choice:
    """The language for a request, and whether the URL alone decided it (cache-friendly)."""

    def __init__(self, locale: str, explicit: bool):
        self.locale = locale
        self.explicit = explicit


def choose(request: Request, site_locale: str) -> Choice:
    # Every public request asks this: parse only what the request has.
    environ = request.environ
    asked = request.args.get("lang", "") if environ.get("QUERY_STRING") else ""
    if asked in LOCALES:
        return Choice(asked, explicit=True)
    cookie = request.cookies.get(COOKIE, "") if environ.get("HTTP_COOKIE") else ""
    if cookie in LOCALES:
        return Choice(cookie, explicit=False)
    best = _best_accepted(environ.get("HTTP_ACCEPT_LANGUAGE", ""))
    return Choice(best or site_locale or DEFAULT_LOCALE, explicit=False)


@lru_cache(maxsize=1024)
def _best_accepted(header: str) -> str | None:
    """Readers send few distinct Accept-Language strings; each is parsed once."""
    if not header:
        return None
    return parse_accept_header(header, LanguageAccept).best_match(LOCALES, default=None)


@pass_context
def template_gettext(context, text: str) -> str:
    shot = context.get("shot")
    locale = getattr(shot, "locale", None) or context.get("locale") or DEFAULT_LOCALE
    return gettext(locale, text)


def init_app(app: Flask) -> None:
    app.jinja_env.globals["_"] = template_gettext
    app.jinja_env.globals["language_names"] = LANGUAGE_NAMES
    for locale in LOCALES:
        translations(locale)  # a broken catalogue fails at start-up, not on a reader's request
