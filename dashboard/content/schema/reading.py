"""The kinds and checks of a counter's reading and milestones (schema/counter.py uses them):
a list of day counts, an optional whole number, and the rules across them."""

from __future__ import annotations

from dashboard.content.schema.base import MISSING, FieldErrors, Kind
from dashboard.content.schema.kinds import DATABASE_INTEGER_MAX, Whole
from dashboard.core import timecalc
from dashboard.core.readings import DISPLAYS, WORKING_DAYS

MOST_MILESTONES = 100


class DayCounts(Kind):
    """Whole numbers of days, 1 or more: a TOML array, or "100, 500, 1000" on a form."""

    example = "a list of day counts such as [100, 500, 1000]"
    none_is_missing = True

    def read(self, problems, field, value, where, context):
        key = field.name
        good = isinstance(value, list) and all(
            isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= DATABASE_INTEGER_MAX
            for v in value
        )
        if not good:
            message = f"'{key}' must be a list of whole numbers of days, each 1 or more"
            problems.add(where, message, key, key=key)
            return MISSING
        if len(value) > MOST_MILESTONES:
            problems.add(where, f"'{key}' may list at most {MOST_MILESTONES}", key, key=key)
            return MISSING
        return sorted(set(value))

    def from_form(self, form, field, context):
        text = form.get(field.form_name, "").replace(",", " ").replace(";", " ")
        values = []
        for word in text.split():
            if not word.isascii() or not word.isdigit():
                message = f"{word!r} is not a whole number of days (e.g. 100, 500, 1000)"
                raise FieldErrors({field.name: [message]})
            values.append(int(word))
        return values

    def to_form(self, field, value, context):
        return ", ".join(str(v) for v in value or ())


class OptionalWhole(Whole):
    """A whole number that may be left out (empty on a form, null in JSON)."""

    none_is_missing = True

    def from_form(self, form, field, context):
        if not form.get(field.form_name, "").strip():
            return MISSING
        return super().from_form(form, field, context)


def display_choice(value) -> str | None:
    if value not in DISPLAYS:
        return f"display {value!r} must be one of {', '.join(DISPLAYS)}"
    return None


def known_calendar(code) -> str | None:
    return timecalc.calendar_problem(code) if code else None


def calendar_for_working_days(values: dict) -> tuple[str, str] | None:
    if values.get("display") == WORKING_DAYS and not values.get("calendar"):
        return "calendar", '\'calendar\' is required with display = "working-days" (e.g. "GB")'
    return None
