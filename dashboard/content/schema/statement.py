"""A statement: [[statements]] in the site file, /admin/statements, the API's JSON (in and
out), the export, and the checks every statement from a feed passes too."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata

from slugify import slugify as python_slugify

from dashboard import config
from dashboard.content.schema.base import IF_SET, MISSING, Entity, Field, FieldErrors, Kind
from dashboard.content.schema.forms import Form
from dashboard.content.schema.kinds import (
    HTTP_ADDRESS,
    Boolean,
    Text,
    is_language_code,
    slug_pattern,
)
from dashboard.content.schema.topic import topics_field
from dashboard.core import timecalc
from dashboard.core.snapshot import StatementItem


class Instant(Kind):
    """When it is published (or expires): an aware date-time, kept in UTC, or a date, which is
    midnight in the site's zone. A form gives the site's wall-clock time; JSON gives RFC 3339
    or a date. A `published` instant in the future means scheduled."""

    example = "a date or RFC 3339 date-time"
    none_is_missing = True

    def __init__(self, name: str = "published"):
        self.name = name  # JSON's problems are named before the field is known

    def read(self, problems, field, value, where, context):
        outside = isinstance(value, dt.date) and timecalc.year_problem(value)
        if outside:
            problems.add(where, f"'{field.name}': {outside}", value, key=field.name)
            return MISSING
        if isinstance(value, dt.datetime):
            if value.tzinfo is None:
                message = f"'{field.name}' needs a UTC offset, e.g. 'Z' or '+03:00'"
                problems.add(where, message, value, key=field.name)
                return MISSING
            return timecalc.as_utc(value)
        if isinstance(value, dt.date):
            if timecalc.is_known_zone(context.timezone):  # else the site's zone is the problem
                return timecalc.local_midnight(value, context.timezone)
            return MISSING
        message = f"'{field.name}' must be a date or an RFC 3339 date-time"
        problems.add(where, message, value, key=field.name)
        return MISSING

    def from_form(self, form, field, context):
        text = form.get(field.form_name, "").strip()
        if not text:
            return MISSING
        return parse_published(text, context.timezone, wall_clock=True, name=field.name)

    def from_json(self, value, context):
        if isinstance(value, str):
            return parse_published(value, context.timezone, name=self.name)
        return value

    def to_form(self, field, value, context):
        if isinstance(value, dt.datetime):
            return timecalc.local_input_text(value, context.timezone)
        if isinstance(value, dt.date):
            return f"{value.isoformat()}T00:00"
        return value or ""

    def to_json(self, value):
        return None if value is None else timecalc.format_instant(value)


def parse_published(
    text: str, zone_name: str, wall_clock: bool = False, name: str = "published"
) -> dt.datetime | dt.date | str:
    """An instant from a form or JSON: a date (midnight in the site's zone), an RFC 3339
    date-time, or, with wall_clock (the admin's datetime-local field), a date-time without an
    offset read in the site's zone. Raises FieldErrors naming the field otherwise."""
    text = text.strip()
    if len(text) == 10:
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise FieldErrors({name: [f"{text!r} is not a valid date"]}) from None
    try:
        return timecalc.parse_instant(text)
    except timecalc.TimeError as error:
        if not wall_clock:
            raise FieldErrors({name: [str(error)]}) from None
    try:
        return timecalc.from_local_text(text, zone_name)
    except timecalc.TimeError as error:
        raise FieldErrors({name: [str(error)]}) from None


def slugify(title: str, day: dt.date) -> str:
    """The title transliterated to lower-case ASCII words ("Заявление МИД" is zaiavlenie-mid),
    then the day. A Latin title gives what earlier versions gave; the backend is named, as
    python-slugify advises, so that a slug, once derived, is derived the same again."""
    words = python_slugify(
        title,
        max_length=80,
        entities=False,  # a title is plain text: "&amp;" is what it says
        decimal=False,
        hexadecimal=False,
        replacements=((",", "-"),),  # "4,500" stays 4-500, not 4500
        backend="text-unidecode",
    )
    return f"{words or 'statement'}-{day.isoformat()}"


def legacy_slugify(title: str, day: dt.date) -> str:
    """What versions before transliteration derived: every letter outside ASCII dropped, so
    that a title in Cyrillic became `statement-DATE`. Only to find rows stored under it."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return f"{words[:80].rstrip('-') or 'statement'}-{day.isoformat()}"


def derived_slug(context, values: dict, made=slugify) -> str:
    """From the title and the day it was published, in the site's zone."""
    title, published = values["title"], values["published"]
    if not title or published is None or not timecalc.is_known_zone(context.timezone):
        return ""
    return made(title, timecalc.local_date(published, context.timezone))


def language_code(code: str) -> str | None:
    return None if is_language_code(code) else f"language {code!r} is not a known language code"


def body_size(body: str) -> str | None:
    size = len(body.encode("utf-8"))
    if size > config.BODY_MAX_BYTES:
        return f"'body' is {size:,} bytes; the most a body may hold is {config.BODY_MAX_BYTES:,}"
    return None


def http_address(address: str) -> str | None:
    if address and not HTTP_ADDRESS.fullmatch(address):
        return "'source_url' must be an http:// or https:// address"
    return None


def expires_after_published(values: dict) -> tuple[str, str] | None:
    published, expires = values.get("published"), values.get("expires")
    both = isinstance(published, dt.datetime) and isinstance(expires, dt.datetime)
    if both and expires <= published:
        return "expires", "'expires' must be later than 'published'"
    return None


STATES = (
    ("published", "Published: on the page, the archive, the API and the Atom feed"),
    ("draft", "Draft: seen only here"),
)
BODY_HELP = (
    "Markdown or HTML. Kept: paragraphs, links, emphasis, lists, quotes, headings (h2–h4), "
    "line breaks; everything else is removed."
)

# Neither is the order the fields are read in (a derived slug needs the title and the date).
EXPORT_ORDER = (
    "slug", "published", "expires", "title", "summary", "language", "translation_of", "topics",
    "body",
    "featured", "draft", "source_url",
)  # fmt: skip
FORM_ORDER = (
    "title", "published", "expires", "draft", "featured", "summary", "body", "topics",
    "source_url", "language", "translation_of", "slug",
)  # fmt: skip

STATEMENT = Entity(
    name="statement",
    key="slug",
    fields=(
        Field("title", Text(), required=True, form=Form("Title", help="Plain text.")),
        Field(
            "published",
            Instant(),
            required=True,
            default=None,
            form=Form(
                "Published",
                input="datetime-local",
                help="Date and time in {timezone}. A time ahead schedules it: unseen until "
                "then, it appears by itself.",
                required=False,  # a new statement's form starts at now
                attrs=(("step", "1"),),  # seconds, when it has them, survive a re-save
                initial=lambda _context: timecalc.utcnow(),
            ),
        ),
        Field(
            "expires",
            Instant("expires"),
            default=None,
            export=IF_SET,
            form=Form(
                "Expires",
                input="datetime-local",
                help="Optional, in {timezone}: after it the statement leaves every list and its "
                "page says it was withdrawn.",
                attrs=(("step", "1"),),
            ),
        ),
        Field(
            "slug",
            Text(strip=True),
            fallback=derived_slug,
            checks=(slug_pattern,),
            form=Form(
                "Address (slug)",
                help="Lower-case letters, digits and hyphens; made from the title and date when "
                "empty.",
            ),
        ),
        Field(
            "language",
            Text(),
            fallback=lambda context, _values: context.locale,
            checks=(language_code,),
            form=Form(
                "Language",
                help="A language code such as en or ru.",
                datalist="languages",
                strip=True,
                initial=lambda context: context.locale,
            ),
        ),
        Field(
            "translation_of",
            Text(strip=True),
            checks=(slug_pattern,),
            export=IF_SET,
            form=Form(
                "Translation of",
                help="Optional: the slug of the original statement this one translates.",
                strip=True,
            ),
        ),
        Field(
            "source_url",
            Text(),
            checks=(http_address,),
            export=IF_SET,
            form=Form(
                "Source address", input="url", help="Optional: http:// or https://", strip=True
            ),
        ),
        Field(
            "summary",
            Text(),
            form=Form(
                "Summary", input="textarea", rows=3, help="Plain text: the excerpt shown in lists."
            ),
        ),
        Field(
            "body",
            Text(),
            checks=(body_size,),
            export=IF_SET,
            form=Form("Body", input="textarea", rows=14, help=BODY_HELP),
        ),
        Field(
            "featured",
            Boolean(),
            default=False,
            export=IF_SET,
            form=Form(
                "Featured: the newest featured statement is shown in full on the page",
                input="checkbox",
            ),
        ),
        topics_field(),
        Field(
            "draft",  # seen only in the admin, and by the API's writers
            Boolean(),
            default=False,
            export=IF_SET,
            public=False,
            form=Form("State", input="select", name="status", options=STATES, initial=True),
        ),
    ),
    export_order=EXPORT_ORDER,
    form_order=FORM_ORDER,
    # The API's JSON also says these, made from the fields; they are ignored on the way in.
    computed=frozenset({"body_html", "corrected_at", "date", "updated", "url"}),
    rules=(expires_after_published,),
)

# What the public pages and the API's reads show of a statement; the schema's other public
# fields ride along as `extra`.
_SHOWN = {f.name for f in dataclasses.fields(StatementItem)} - {"extra", "corrected_at"}


def item(row) -> StatementItem:
    extra = [f.name for f in STATEMENT.fields if f.public and f.name not in _SHOWN]
    return StatementItem(
        **{name: getattr(row, name) for name in _SHOWN},
        corrected_at=getattr(row, "corrected_at", None),  # not a field: an edit's option sets it
        extra={name: getattr(row, name) for name in extra},
    )
