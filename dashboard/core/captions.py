"""Counter captions and date lines, by CLDR plural category (Babel) rather than `n == 1`. The
words come from the language registry."""

from __future__ import annotations

import datetime as dt

from babel import Locale
from babel.dates import format_date
from babel.lists import format_list
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


# -- spans: a counter read in years, months and days, in weeks, or in working days -------------
Part = tuple[int, str]  # (count, unit): (2, "year")


def _words_for(locale: str | None, name: str):
    """The language's words for spans, or English's where it has none."""
    words = language(locale)
    return getattr(words, name) or getattr(language("en"), name)


def unit_text(count: int, unit: str, locale: str | None = None) -> str:
    """ "3 months", "3 месяца": one part of a span, by the count's CLDR plural category."""
    return plural(_words_for(locale, "units")[unit], count, language(locale).code)


def span_text(parts: list[Part], locale: str | None = None) -> str:
    """ "2 years, 3 months and 4 days": the parts given (zero parts already left out), joined as
    CLDR joins a list in the language."""
    words = language(locale)
    texts = [unit_text(count, unit, locale) for count, unit in parts]
    return format_list(texts, locale=words.list_locale or words.code)


def _agreement(parts: list[Part], locale: str) -> str:
    words = language(locale)
    if len(parts) != 1:
        return "other"
    count, unit = parts[0]
    category = Locale.parse(words.code).plural_form(count)
    return f"{category}-f" if unit in words.feminine else category


def span_parts(parts: list[Part], event: str, counting_down: bool, locale: str | None = None):
    """The span and the rest of its sentence: ("2 years and 4 days", "have passed since …"),
    or, for a span with nothing in it (the day itself), ("", "Today is the day of …")."""
    words = language(locale)
    if not parts:
        return "", _words_for(locale, "today").format(event=event)
    forms = _words_for(locale, "span_until" if counting_down else "span_since")
    key = _agreement(parts, words.code)
    phrase = forms.get(key) or forms.get(key.split("-")[0]) or forms["other"]
    before, _, after = phrase.partition("{span}")
    return span_text(parts, locale), (before + after).strip().format(event=event)


def span_badge(parts: list[Part], counting_down: bool, locale: str | None = None) -> str:
    if not parts:
        return _words_for(locale, "badge_today")
    text = span_text(parts, locale)
    return _words_for(locale, "span_badge_until").format(span=text) if counting_down else text


def milestone_text(kind: str, value: int, locale: str | None = None) -> str:
    """ "1,000 days" or "2 years": what a milestone is called."""
    return unit_text(value, "year" if kind == "years" else "day", locale)


def milestone_title(kind: str, value: int, event: str, locale: str | None = None) -> str:
    """ "1,000 days since the Salisbury incident": an announcement's headline."""
    named = milestone_text(kind, value, locale)
    return _words_for(locale, "milestone_since").format(milestone=named, event=event)


def milestone_today(kind: str, value: int, locale: str | None = None) -> str:
    """ "1,000 days today": what the page says on the day."""
    named = milestone_text(kind, value, locale)
    return _words_for(locale, "milestone_today").format(milestone=named)
