"""The admin's own words in the language its user chose (web/admin/language.py keeps the choice
on `g.admin_locale`). Outside a request, or on a public one, they stay English."""

from __future__ import annotations

from flask import g, has_app_context

from dashboard.i18n import catalogues
from dashboard.i18n.languages import DEFAULT_LOCALE


def locale() -> str:
    return (g.get("admin_locale") if has_app_context() else None) or DEFAULT_LOCALE


def gettext(text: str, **values) -> str:
    """`text` translated; `%(name)s` placeholders are filled after translation."""
    translated = catalogues.gettext(locale(), text) if text else text
    return translated % values if values else translated


def ngettext(singular: str, plural: str, n: int, **values) -> str:
    """The CLDR plural form for `n` (Russian has three); `%(num)s` is `n`."""
    translated = catalogues.translations(locale()).ngettext(singular, plural, n)
    return translated % {"num": n, **values}


_ = gettext


def N_(text: str) -> str:  # noqa: N802 (gettext's name for it)
    """Marks a string for the catalogue where it is defined, to be translated where shown."""
    return text
