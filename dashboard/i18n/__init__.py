"""Languages: the one registry (languages.py), interface words (catalogues.py) and choosing a
language for a request (choice.py)."""

from __future__ import annotations

from dashboard.i18n import catalogues, languages


def register(app) -> None:
    app.jinja_env.globals["_"] = catalogues.template_gettext
    app.jinja_env.globals["ngettext"] = catalogues.template_ngettext
    app.jinja_env.globals["language_names"] = languages.names
    for locale in languages.locales():
        catalogues.translations(locale)  # a broken catalogue fails at start-up, not on a request
