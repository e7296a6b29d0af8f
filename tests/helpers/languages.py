"""A throwaway language for tests that show the registry is the one list: registered for the
length of a `with` block, then gone."""

from __future__ import annotations

import contextlib

from dashboard.i18n import languages
from dashboard.i18n.languages import Language

# Esperanto: CLDR knows its plurals and dates; the dashboard ships no catalogue for it.
ESPERANTO = Language(
    code="eo",
    name="Esperanto",
    since={"one": "{n} tago pasis ekde {event}", "other": "{n} tagoj pasis ekde {event}"},
    until={"one": "{n} tago restas ĝis {event}", "other": "{n} tagoj restas ĝis {event}"},
    badge_since={"one": "{n} tago", "other": "{n} tagoj"},
    badge_until={"one": "post {n} tago", "other": "post {n} tagoj"},
)


@contextlib.contextmanager
def registered(language: Language = ESPERANTO):
    languages.register(language)
    try:
        yield language
    finally:
        languages.unregister(language.code)
