"""The kinds of field more than one entity has, and the checks they share."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from babel import Locale, UnknownLocaleError

from dashboard.content.schema.base import MISSING, Entity, FieldErrors, Kind
from dashboard.content.schema.forms import widget
from dashboard.core import timecalc
from dashboard.core.numbers import whole_number
from dashboard.i18n.languages import locales, names

# Whole values, with fullmatch: `$` would also match before a final newline ("https://x\n").
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,199}")
HTTP_ADDRESS = re.compile(r"https?://[^\s]+")
DATABASE_INTEGER_MAX = 2**31 - 1  # PostgreSQL's integer column


class Text(Kind):
    def __init__(self, strip: bool = False):
        self.strip = strip  # slugs, labels, zones: surrounding spaces never mean anything

    def read(self, problems, field, value, where, context):
        key = field.name
        if not isinstance(value, str):
            message = f"'{key}' must be a string, not {type(value).__name__}"
            problems.add(where, message, value, key=key)
            return MISSING
        if "\x00" in value:  # PostgreSQL cannot store it (SQLite can): refused everywhere
            problems.add(where, f"'{key}' must not contain a NUL character", key=key)
            return MISSING
        if field.required and not value.strip():
            problems.add(where, f"'{key}' must not be empty", f"{key} =", key=key)
        value = value.strip() if self.strip else value
        return value if value != "" else MISSING  # an empty text takes the default

    def from_form(self, form, field, context):
        text = form.get(field.form_name, "")
        return text.strip() if field.form.strip else text


class Boolean(Kind):
    """On a form, a checkbox; or a select whose first option is false and second true."""

    def read(self, problems, field, value, where, context):
        if not isinstance(value, bool):
            key = field.name
            problems.add(where, f"'{key}' must be true or false", f"{key} =", key=key)
            return MISSING
        return value

    def from_form(self, form, field, context):
        if field.form.input == "select":
            return form.get(field.form_name, "") == field.form.options[1][0]
        return field.form_name in form

    def to_form(self, field, value, context):
        if field.form.input == "select":
            return field.form.options[bool(value)][0]
        return value


class Date(Kind):
    """A calendar date: a TOML date, or YYYY-MM-DD on a form."""

    example = "a date such as 2018-03-04"
    none_is_missing = True

    def read(self, problems, field, value, where, context):
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            message = f"'{field.name}' must be a calendar date such as 2018-03-04"
            problems.add(where, message, value, key=field.name)
            return MISSING
        outside = timecalc.year_problem(value)
        if outside:
            problems.add(where, f"'{field.name}': {outside}", value, key=field.name)
            return MISSING
        return value

    def from_form(self, form, field, context):
        text = form.get(field.form_name, "").strip()
        if not text:
            return MISSING
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            message = f"{text!r} is not a date such as 2018-03-04"
            raise FieldErrors({field.name: [message]}) from None

    def to_form(self, field, value, context):
        return value.isoformat() if isinstance(value, dt.date) else (value or "")


class Whole(Kind):
    """A whole number from `minimum` to `maximum`; `message` says so when it is not."""

    def __init__(self, minimum: int, maximum: int | None, message: str):
        self.minimum, self.message, self.given_maximum = minimum, message, maximum
        self.maximum = DATABASE_INTEGER_MAX if maximum is None else maximum

    def read(self, problems, field, value, where, context):
        if (
            not isinstance(value, int)
            or isinstance(value, bool)
            or not self.minimum <= value <= self.maximum
        ):
            problems.add(where, self.message, value, key=field.name)
            return MISSING
        return value

    def from_form(self, form, field, context):
        text = form.get(field.form_name, "").strip()
        number = whole_number(text, 0, self.maximum)
        return text if number is None else number  # the check names anything else

    def widget(self, field, context):
        made = super().widget(field, context)
        made.attrs["min"] = str(self.minimum)
        if self.given_maximum is not None:
            made.attrs["max"] = str(self.given_maximum)
        return made


class Translations(Kind):
    """[<array>.translations.ru] with the keys of `words`, the first of them required: an
    entity's words in other languages (a counter's event and note, a topic's name). On the
    form, the words for each language but the site's, as translations-<code>-<key>."""

    def __init__(self, words: Entity):
        self.words = words
        self.required = words.fields[0].name
        self.optional = [f.name for f in words.fields[1:]]

    def read(self, problems, field, value, where, context):
        if not isinstance(value, dict):
            message = "'translations' must be a table of languages"
            problems.add(where, message, "translations", key="translations")
            return MISSING
        found = {}
        for language, texts in value.items():
            here = f"{where}.translations.{language}"
            if language not in locales():
                message = f"language {language!r} is not supported ({', '.join(locales())})"
                problems.add(here, message, key="translations")
                continue
            if not isinstance(texts, dict):
                problems.add(here, self._shape(), key="translations")
                continue
            words = self.words.read(problems, texts, here)
            found[language] = {k: v for k, v in words.items() if k in texts or k == self.required}
        return found

    def _shape(self) -> str:
        optional = " and optionally " + ", ".join(f"'{k}'" for k in self.optional)
        return f"must be a table with '{self.required}'{optional if self.optional else ''}"

    def from_form(self, form, field, context):
        found, problems = {}, []
        for locale in locales():
            given = {
                key: form.get(f"translations-{locale}-{key}", "").strip()
                for key in (self.required, *self.optional)
            }
            others = [key for key in self.optional if given[key]]
            if others and not given[self.required]:
                language = names().get(locale, locale)
                problems.append(
                    f"{language}: give the {self.required} as well as the {' and '.join(others)}"
                )
            elif given[self.required]:
                found[locale] = {k: v for k, v in given.items() if v}
        if problems:
            raise FieldErrors({field.name: problems})
        return found or MISSING

    def to_form(self, field, value, context):
        return value or {}

    def widget(self, field, context):
        others = [(code, names().get(code, code)) for code in locales() if code != context.locale]
        parts = tuple((key, key.capitalize()) for key in (self.required, *self.optional))
        return widget(field.form, field.name, False, context, options=others, parts=parts)


# -- checks -------------------------------------------------------------------------------------
def known_zone(name: Any) -> str | None:
    if name and not timecalc.is_known_zone(name):
        return f"timezone {name!r} is not a known IANA time zone"
    return None


def slug_pattern(value: Any) -> str | None:
    if value and not SLUG.fullmatch(value):
        return f"slug {value!r} must be lower-case letters, digits and hyphens"
    return None


def is_language_code(code: str) -> bool:
    try:
        Locale.parse(code)
    except (ValueError, UnknownLocaleError):
        return False
    return True
