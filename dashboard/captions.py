"""Counter captions and date lines, by CLDR plural category (Babel) rather than `n == 1`."""

from __future__ import annotations

import datetime as dt

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal

# One phrase per CLDR plural category the locale uses; "{n}" is the formatted number.
PHRASES: dict[str, dict[str, dict[str, str]]] = {
    "en": {
        "since": {
            "one": "{n} day has passed since {event}",
            "other": "{n} days have passed since {event}",
        },
        "until": {
            "one": "{n} day to go until {event}",
            "other": "{n} days to go until {event}",
        },
    },
    # The event text is the site's own, already in the case the phrase needs (genitive).
    "ru": {
        "since": {
            "one": "{n} день прошёл с {event}",
            "few": "{n} дня прошло с {event}",
            "many": "{n} дней прошло с {event}",
            "other": "{n} дня прошло с {event}",
        },
        "until": {
            "one": "{n} день остался до {event}",
            "few": "{n} дня осталось до {event}",
            "many": "{n} дней осталось до {event}",
            "other": "{n} дня осталось до {event}",
        },
    },
}
DATE_PATTERNS = {"en": "d MMMM y"}  # others use CLDR's long form, e.g. "26 января 2020 г."
DEFAULT_LOCALE = "en"
LOCALES = tuple(PHRASES)


def supported(locale: str | None) -> str:
    return locale if locale in PHRASES else DEFAULT_LOCALE


def plural(forms: dict[str, str], count: int, locale: str, **values: str) -> str:
    """The phrase for `count`'s CLDR plural category, with "{n}" as the locale writes it."""
    phrase = forms.get(Locale.parse(locale).plural_form(count), forms["other"])
    return phrase.format(n=format_decimal(count, locale=locale), **values)


def counter_caption(days: int, event: str, note: str = "", locale: str = DEFAULT_LOCALE) -> str:
    locale = supported(locale)
    direction = "until" if days < 0 else "since"
    text = plural(PHRASES[locale][direction], abs(days), locale, event=event)
    return f"{text} - {note}" if note else text


def date_line(day: dt.date, locale: str = DEFAULT_LOCALE) -> str:
    locale = supported(locale)
    return format_date(day, DATE_PATTERNS.get(locale, "long"), locale=locale)
