"""A counter: [[counters]] in the site file, /admin/counters, the export, and what the
snapshot counts with. A field that only templates use reaches them as `counter.extra`."""

from __future__ import annotations

import dataclasses

from dashboard.content.schema.base import IF_SET, Entity, Field
from dashboard.content.schema.forms import Form
from dashboard.content.schema.kinds import Date, Text
from dashboard.content.schema.shared import slug_field, translations_field, zone_field
from dashboard.core.snapshot import CounterDef

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
        slug_field("salisbury"),
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
        translations_field(TRANSLATION),
    ),
)

# What the snapshot counts with; the schema's other fields ride along as `extra`.
_DEFINED = {f.name for f in dataclasses.fields(CounterDef)}


def definition(row, site_zone: str, runs=()) -> CounterDef:
    extra = {f.name: getattr(row, f.name) for f in COUNTER.fields if f.name not in _DEFINED}
    return CounterDef(
        slug=row.slug,
        since=row.since,
        timezone=row.timezone or site_zone,
        event=row.event,
        note=row.note,
        translations=row.translations or {},
        extra=extra,
        runs=tuple(runs),
    )
