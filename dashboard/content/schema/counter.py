"""A counter: [[counters]] in the site file, /admin/counters, the export, and what the
snapshot counts with. A field that only templates use reaches them as `counter.extra`."""

from __future__ import annotations

import dataclasses

from dashboard.content.schema.base import IF_SET, UNLESS_DEFAULT, Entity, Field
from dashboard.content.schema.forms import Form
from dashboard.content.schema.kinds import Boolean, Date, Text
from dashboard.content.schema.reading import (
    DayCounts,
    OptionalWhole,
    calendar_for_working_days,
    display_choice,
    known_calendar,
)
from dashboard.content.schema.shared import slug_field, translations_field, zone_field
from dashboard.core.snapshot import CounterDef

DISPLAYS = (  # what the form offers for `display`
    ("days", "Days (693 days)"),
    ("ymd", "Years, months and days"),
    ("weeks", "Weeks and days"),
    ("working-days", "Working days"),
)

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
        Field(
            "display",
            Text(strip=True),
            default="days",
            checks=(display_choice,),
            export=UNLESS_DEFAULT,
            form=Form("Reads as", input="select", options=DISPLAYS),
        ),
        Field(
            "calendar",
            Text(strip=True),
            checks=(known_calendar,),
            export=IF_SET,
            form=Form(
                "Public holidays",
                help="For working days: a country code such as GB or RU (GB-SCT for Scotland).",
                strip=True,
            ),
        ),
        Field(
            "milestones",
            DayCounts(),
            fallback=lambda _context, _values: [],
            export=IF_SET,
            form=Form("Milestones", help="Day counts to mark, e.g. 100, 500, 1000."),
        ),
        Field(
            "every",
            OptionalWhole(1, None, "'every' must be a whole number of days, 1 or more"),
            default=None,
            export=IF_SET,
            form=Form(
                "Every … days", input="number", help="Optional: also mark each multiple of this."
            ),
        ),
        Field(
            "anniversaries",
            Boolean(),
            default=False,
            export=IF_SET,
            form=Form("Mark each full year since the date", input="checkbox"),
        ),
    ),
    rules=(calendar_for_working_days,),
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
        display=row.display or "days",
        calendar=row.calendar or "",
        milestones=tuple(row.milestones or ()),
        every=row.every,
        anniversaries=bool(row.anniversaries),
        extra=extra,
        runs=tuple(runs),
    )
