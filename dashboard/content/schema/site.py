"""The site's own settings: the [site] table, /admin/site, and the export."""

from __future__ import annotations

from dashboard.content.schema.base import Entity, Field
from dashboard.content.schema.forms import Form
from dashboard.content.schema.kinds import DATABASE_INTEGER_MAX as MOST
from dashboard.content.schema.kinds import Text, Whole
from dashboard.content.schema.shared import translations_field, zone_field
from dashboard.i18n.languages import locales, names


def supported_locale(code: str) -> str | None:
    if code not in locales():
        return f"locale {code!r} is not supported ({', '.join(locales())})"
    return None


def language_options(_context) -> list[tuple[str, str]]:
    return [(code, names().get(code, code)) for code in locales()]


# One language's title and, when the file gives one, contact line.
TRANSLATION = Entity(
    name="translation",
    fields=(Field("title", Text(), required=True), Field("contact", Text())),
)

SITE = Entity(
    name="site",
    fields=(
        Field("title", Text(), required=True, form=Form("Title")),
        zone_field(
            "The date line's zone and the counters' default, e.g. Europe/London.", required=True
        ),
        Field(
            "contact",
            Text(),
            form=Form("Contact line", help="Optional, e.g. Consular queries: +44 …"),
        ),
        Field(
            "locale",
            Text(),
            default="en",
            checks=(supported_locale,),
            form=Form("Language of the page", input="select", options=language_options),
        ),
        Field(
            "latest_count",
            Whole(0, None, f"'latest_count' must be a whole number, 0 or more (at most {MOST:,})"),
            default=10,
            form=Form("Statements listed under the featured one", input="number"),
        ),
        translations_field(TRANSLATION),
    ),
)
