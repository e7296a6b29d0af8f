"""Fields that more than one entity has, defined once."""

from __future__ import annotations

from dashboard.content.schema.base import IF_SET, Entity, Field
from dashboard.content.schema.forms import Form
from dashboard.content.schema.kinds import Text, Translations, known_zone, slug_pattern


def zone_field(help: str, **options) -> Field:
    """`timezone`: an IANA name, picked from the zones' list on the form."""
    form = Form("Time zone", help=help, datalist="zones")
    return Field("timezone", Text(strip=True), checks=(known_zone,), form=form, **options)


def translations_field(words: Entity, label: str = "Translations") -> Field:
    """`translations`: the entity's `words` in each other language, [….translations.ru]."""
    return Field(
        "translations",
        Translations(words),
        fallback=lambda _context, _values: {},
        export=IF_SET,
        form=Form(label, input="translations"),
    )


def slug_field(example: str) -> Field:
    """`slug`: the row's key in site files and addresses, given, never derived."""
    help = f"Lower-case letters, digits and hyphens, e.g. {example}."
    form = Form("Slug", help=help)
    return Field("slug", Text(strip=True), required=True, checks=(slug_pattern,), form=form)
