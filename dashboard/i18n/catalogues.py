"""Interface words: gettext catalogues, compiled in memory by Babel from the .po files."""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from jinja2 import pass_context

from dashboard.i18n.languages import DEFAULT_LOCALE

CATALOGUES = Path(__file__).parent / "translations"


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


def _locale(context) -> str:
    # A page's own language (shot) first; then the admin's, over a preview's `locale`.
    shot = context.get("shot")
    chosen = getattr(shot, "locale", None) or context.get("admin_locale")
    return chosen or context.get("locale") or DEFAULT_LOCALE


@pass_context
def template_gettext(context, text: str) -> str:
    return gettext(_locale(context), text)


@pass_context
def template_ngettext(context, singular: str, plural: str, n: int, **values) -> str:
    """CLDR plural forms: `%(num)s` is `n`, other placeholders come as keywords."""
    return translations(_locale(context)).ngettext(singular, plural, n) % {"num": n, **values}
