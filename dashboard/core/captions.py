"""Counter captions and date lines, by CLDR plural category (Babel) rather than `n == 1`. The
words come from the language registry."""

from __future__ import annotations

import datetime as dt

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal

from dashboard.i18n.languages import Plurals, language


def number_text(count: int, locale: str) -> str:
    """A count as the locale writes it: 1,000 or 1 000."""
    return format_decimal(count, locale=locale)


def plural(forms: Plurals, count: int, locale: str, **values: str) -> str:
    """The phrase for `count`'s CLDR plural category, with "{n}" as the locale writes it."""
    phrase = forms.get(Locale.parse(locale).plural_form(count), forms["other"])
    return phrase.format(n=number_text(count, locale), **values)


def counter_caption(days: int, event: str, note: str = "", locale: str | None = None) -> str:
    """The whole sentence: "693 days have passed since the Salisbury incident - note"."""
    words = language(locale)
    text = plural(words.caption_forms(days < 0), abs(days), words.code, event=event)
    return f"{text} - {note}" if note else text


def counter_parts(
    days: int, event: str, note: str = "", locale: str | None = None
) -> tuple[str, str]:
    """The caption split where the number ends: ("693", "days have passed since …"). The
    phrase puts "{n}" where the language wants it; what comes before it stays with the rest."""
    words = language(locale)
    phrase = words.caption_forms(days < 0)
    form = phrase.get(Locale.parse(words.code).plural_form(abs(days)), phrase["other"])
    before, _, after = form.partition("{n}")
    number = number_text(abs(days), words.code)
    rest = (before + after).strip().format(event=event)
    return number, f"{rest} - {note}" if note else rest


def record_caption(days: int, locale: str | None = None) -> str:
    """A counter's longest run: "record: 412 days", "рекорд: 412 дней"."""
    words = language(locale)
    return plural(words.record_forms(), days, words.code)


def days_text(days: int, locale: str | None = None) -> str:
    """A run's length: "412 days", "412 дней"."""
    words = language(locale)
    return plural(words.badge_since, days, words.code)


def date_line(day: dt.date, locale: str | None = None) -> str:
    words = language(locale)
    return format_date(day, words.date_pattern or "long", locale=words.code)
