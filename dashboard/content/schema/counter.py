"""A counter: [[counters]] in the site file, /admin/counters, the export, and what the
snapshot counts with. A field that only templates use reaches them as `counter.extra`."""

from __future__ import annotations

import dataclasses

from dashboard.content.schema.base import IF_SET, MISSING, Entity, Field, FieldErrors, Kind
from dashboard.content.schema.forms import Form, widget
from dashboard.content.schema.kinds import Date, Text, slug_pattern
from dashboard.content.schema.shared import zone_field
from dashboard.core.snapshot import CounterDef
from dashboard.i18n.languages import locales, names


class Translations(Kind):
    """[counters.translations.ru] event = "…", note = "…": the counter's words in other
    languages. On the form, an event and a note for each language but the site's."""

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
                message = "must be a table with 'event' and optionally 'note'"
                problems.add(here, message, key="translations")
                continue
            words = TRANSLATION.read(problems, texts, here)
            found[language] = {k: v for k, v in words.items() if k in texts or k == "event"}
        return found

    def from_form(self, form, field, context):
        found, problems = {}, []
        for locale in locales():
            event = form.get(f"translations-{locale}-event", "").strip()
            note = form.get(f"translations-{locale}-note", "").strip()
            if note and not event:
                language = names().get(locale, locale)
                problems.append(f"{language}: give the event as well as the note")
            elif event:
                found[locale] = {"event": event, **({"note": note} if note else {})}
        if problems:
            raise FieldErrors({field.name: problems})
        return found or MISSING

    def to_form(self, field, value, context):
        return value or {}

    def widget(self, field, context):
        others = [(code, names().get(code, code)) for code in locales() if code != context.locale]
        return widget(field.form, field.name, False, context, options=others)


# One language's words; a note is kept only when the file gives one.
TRANSLATION = Entity(
    name="translation",
    fields=(Field("event", Text(), required=True), Field("note", Text())),
)

COUNTER = Entity(
    name="counter",
    key="slug",
    label_rows=True,
    fields=(
        Field(
            "slug",
            Text(strip=True),
            required=True,
            checks=(slug_pattern,),
            form=Form("Slug", help="Lower-case letters, digits and hyphens, e.g. salisbury."),
        ),
        Field(
            "since",
            Date(),
            required=True,
            default=None,
            form=Form("Since", input="date", help="A calendar date; a future date counts down."),
        ),
        zone_field(
            "Whose midnight turns the counter over; empty: the site's ({timezone}).",
            default=None,  # the site's zone, as it is when the page is drawn
            export=IF_SET,
        ),
        Field(
            "event",
            Text(),
            required=True,
            form=Form(
                "Event",
                help="As the sentence needs it: “… days have passed since the Salisbury incident”.",
            ),
        ),
        Field(
            "note",
            Text(),
            export=IF_SET,
            form=Form("Note", help="Optional, shown after the event."),
        ),
        Field(
            "translations",
            Translations(),
            fallback=lambda _context, _values: {},
            export=IF_SET,
            form=Form("Translations", input="translations"),
        ),
    ),
)

# What the snapshot counts with; the schema's other fields ride along as `extra`.
_DEFINED = {f.name for f in dataclasses.fields(CounterDef)}


def definition(row, site_zone: str) -> CounterDef:
    extra = {f.name: getattr(row, f.name) for f in COUNTER.fields if f.name not in _DEFINED}
    return CounterDef(
        slug=row.slug,
        since=row.since,
        timezone=row.timezone or site_zone,
        event=row.event,
        note=row.note,
        translations=row.translations or {},
        extra=extra,
    )
