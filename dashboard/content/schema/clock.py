"""A clock: [[clocks]] in the site file, /admin/clocks, and the export."""

from __future__ import annotations

from dashboard.content.schema.base import Entity, Field
from dashboard.content.schema.forms import Form
from dashboard.content.schema.kinds import Boolean, Text
from dashboard.content.schema.shared import translations_field, zone_field

# The label in one language: [clocks.translations.ru] label = "Москва".
TRANSLATION = Entity(name="translation", fields=(Field("label", Text(strip=True), required=True),))

CLOCK = Entity(
    name="clock",
    key="label",
    label_rows=True,
    fields=(
        Field(
            "label",
            Text(strip=True),
            required=True,
            form=Form("Label", help="The city, e.g. Moscow."),
        ),
        zone_field("An IANA name, e.g. Europe/Moscow.", required=True),
        Field(
            "hour12",
            Boolean(),
            default=False,
            form=Form("12-hour clock (8:58 PM)", input="checkbox"),
        ),
        translations_field(TRANSLATION),
    ),
)
