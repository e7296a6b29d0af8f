"""A topic: [[topics]] in the site file, /admin/topics, the export; and `topics`, the kind of
a statement's field that names the topics it is about."""

from __future__ import annotations

from dashboard.content.schema.base import IF_SET, MISSING, Entity, Field, Kind
from dashboard.content.schema.forms import Form, widget
from dashboard.content.schema.kinds import SLUG, Text
from dashboard.content.schema.shared import slug_field, translations_field


def undeclared(slug: str) -> str:
    """Topics are declared, never made by naming them: the message says how."""
    return (
        f"there is no topic {slug!r}; declare it first: a [[topics]] table with "
        f'slug = "{slug}" and a name in the site file, or Topics → New topic in the admin'
    )


class TopicSlugs(Kind):
    """topics = ["osce", "salisbury"]: declared topics, each named once. On the form, a check
    box for each declared topic."""

    example = 'a list of topic slugs such as ["osce"]'
    none_is_missing = True

    def read(self, problems, field, value, where, context):
        key = field.name
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            message = f"'{key}' must be a list of topic slugs, such as [\"osce\"]"
            problems.add(where, message, f"{key} =", key=key)
            return MISSING
        known = None if context.topics is None else {slug for slug, _name in context.topics}
        slugs: list[str] = []
        for slug in (v.strip() for v in value):
            if slug in slugs:
                problems.add(where, f"topic {slug!r} is named twice", key=key)
            elif not SLUG.fullmatch(slug):
                message = f"topic {slug!r} is not a slug (lower-case letters, digits, hyphens)"
                problems.add(where, message, f'"{slug}"', key=key)
            elif known is not None and slug not in known:
                problems.add(where, undeclared(slug), f'"{slug}"', key=key)
            else:
                slugs.append(slug)
        return slugs

    def from_form(self, form, field, context):
        given = form.getlist(field.form_name) if hasattr(form, "getlist") else []
        return [slug.strip() for slug in given if slug.strip()]

    def to_form(self, field, value, context):
        return list(value or [])

    def to_json(self, value):
        return list(value)

    def widget(self, field, context):
        declared = list(context.topics or ())
        return widget(field.form, field.form_name, False, context, options=declared)


# A topic's name in another language.
NAME = Entity(name="translation", fields=(Field("name", Text(strip=True), required=True),))

TOPIC = Entity(
    name="topic",
    key="slug",
    label_rows=True,
    fields=(
        slug_field("osce: the page /topics/osce"),
        Field(
            "name",
            Text(strip=True),
            required=True,
            form=Form("Name", help="In the site's language, e.g. OSCE."),
        ),
        translations_field(NAME, "Names in other languages"),
    ),
)


def topics_field() -> Field:
    """A statement's `topics`."""
    return Field(
        "topics",
        TopicSlugs(),
        fallback=lambda _context, _values: [],
        export=IF_SET,
        form=Form(
            "Topics",
            input="checkboxes",
            help="What it is about: its topics' pages and feeds list it. New topics are made "
            "under Topics.",
        ),
    )
