"""Each entity's schema: its site-file table, its form, its JSON and its export agree, so a
value that goes out through one comes back the same through another; every problem names its
key; and a field the snapshot does not know still reaches the templates."""

from __future__ import annotations

import dataclasses
import datetime as dt
import types

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from dashboard.content import sitefile
from dashboard.content.schema import (
    CLOCK,
    COUNTER,
    FEED,
    SITE,
    STATEMENT,
    TOPIC,
    Context,
    Entity,
    Field,
    FieldErrors,
)
from dashboard.content.schema import counter as counter_schema
from dashboard.content.schema import statement as statement_schema
from dashboard.content.schema.base import IF_SET
from dashboard.content.schema.forms import Form
from dashboard.content.schema.kinds import Text
from dashboard.content.sitefile.writer import dumps
from dashboard.core.snapshot import SiteContent, snapshot
from tests.helpers.forms import posted

# +05:45: a wall clock that is not UTC; and the topics statements may name.
SITE_ZONE = Context("Asia/Kathmandu", "en", topics=(("osce", "OSCE"), ("salisbury", "Salisbury")))

FULL = {
    SITE: {
        "title": "Embassy <of> “somewhere”",
        "timezone": "Pacific/Apia",
        "contact": "Call us",
        "locale": "ru",
        "latest_count": 0,
    },
    CLOCK: {"label": "Apia", "timezone": "Pacific/Apia", "hour12": True},
    COUNTER: {
        "slug": "skipped-day",
        "since": dt.date(2011, 12, 30),
        "timezone": "Pacific/Apia",
        "event": "the day Samoa skipped",
        "note": "a note",
        "translations": {"ru": {"event": "дня, который пропустило Самоа", "note": "заметка"}},
    },
    STATEMENT: {
        "title": "A statement",
        "published": dt.datetime(2020, 1, 26, 9, 30, tzinfo=dt.UTC),
        "expires": dt.datetime(2020, 3, 1, 0, 0, 30, tzinfo=dt.UTC),
        "slug": "a-statement",
        "language": "ru",
        "source_url": "https://mid.example/a?b=1",
        "summary": "Short.",
        "body": "Para *one*.\n\nPara two.",
        "featured": True,
        "topics": ["osce", "salisbury"],
        "draft": True,
    },
    TOPIC: {"slug": "osce", "name": "OSCE", "translations": {"ru": {"name": "ОБСЕ"}}},
    FEED: {
        "url": "https://mid.example/feed.xml",
        "interval_minutes": 15,
        "language": "ru",
        "publish": False,
    },
}
# Everything optional left empty: what an export leaves out comes back as the default.
BARE = {
    SITE: {**FULL[SITE], "contact": "", "locale": "en", "latest_count": 10},
    CLOCK: {**FULL[CLOCK], "hour12": False},
    COUNTER: {**FULL[COUNTER], "timezone": None, "note": "", "translations": {}},
    STATEMENT: {
        **FULL[STATEMENT],
        "source_url": "",
        "summary": "",
        "body": "",
        "featured": False,
        "topics": [],
        "draft": False,
        "expires": None,
    },
    TOPIC: {**FULL[TOPIC], "translations": {}},
    FEED: {**FULL[FEED], "interval_minutes": 10080, "publish": True},
}
IN_SITE_FILES = [SITE, CLOCK, COUNTER, TOPIC, STATEMENT]  # feeds are configuration, not content
ALL = [*IN_SITE_FILES, FEED]


def complete(entity: Entity, values: dict) -> dict:
    """The sample, with any field it does not name (one added since) at its default."""
    filled = dict(values)
    for field in entity.fields:
        if field.name not in filled:
            fallback = field.fallback(SITE_ZONE, filled) if field.fallback else field.default
            filled[field.name] = fallback
    return filled


FULL = {entity: complete(entity, values) for entity, values in FULL.items()}
BARE = {entity: complete(entity, values) for entity, values in BARE.items()}


def row(values: dict):
    """A stored row: the schema's fields, and the HTML its body was rendered to when written."""
    return types.SimpleNamespace(**{"body_html": "", **values})


def ids(entities) -> list[str]:
    return [entity.name for entity in entities]


# -- the site file and the export ---------------------------------------------------------------
@pytest.mark.parametrize("values", [FULL, BARE], ids=["full", "bare"])
@pytest.mark.parametrize("entity", IN_SITE_FILES, ids=ids(IN_SITE_FILES))
def test_an_export_reads_back_the_same(entity, values):
    exported = entity.export(row(values[entity]))
    assert entity.check(exported, SITE_ZONE) == values[entity]


def test_an_export_leaves_out_only_what_is_empty():
    assert "timezone" not in COUNTER.export(row(BARE[COUNTER]))
    assert "contact" in SITE.export(row(BARE[SITE]))  # the site's keys are always written
    statement = STATEMENT.export(row(BARE[STATEMENT]))
    assert list(statement) == ["slug", "published", "title", "summary", "language"]
    full = STATEMENT.export(row(FULL[STATEMENT]))
    assert list(full) == [name for name in STATEMENT.export_order if name in full]


def site_file(document: dict) -> sitefile.SiteSpec:
    """The document as `dashboard export` writes it, read as `dashboard load` reads it."""
    return sitefile.parse(dumps(document), "exported.toml")


def test_a_site_file_of_every_entity_reads_back_through_toml():
    bare = {**BARE[COUNTER], "slug": "bare"}
    document = {
        "site": SITE.export(row(FULL[SITE])),
        "clocks": [CLOCK.export(row(FULL[CLOCK]))],
        "counters": [COUNTER.export(row(FULL[COUNTER])), COUNTER.export(row(bare))],
        "topics": [TOPIC.export(row(FULL[TOPIC])), {"slug": "salisbury", "name": "Salisbury"}],
        "statements": [STATEMENT.export(row(FULL[STATEMENT]))],
    }
    spec = site_file(document)
    assert spec.site == FULL[SITE]
    assert spec.clocks == [FULL[CLOCK]]
    assert spec.counters == [FULL[COUNTER], bare]
    assert spec.topics == [FULL[TOPIC], {**BARE[TOPIC], "slug": "salisbury", "name": "Salisbury"}]
    assert spec.statements == [FULL[STATEMENT]]


AWKWARD = st.sampled_from(["\r\n", "\r", "\n", "\t", '"', '"""', "'", "\\", " ", "\x7f", "é"])


def text(blank_ok: bool = True):
    # What a site file can say, awkward characters often; a required text must say something.
    # Not NUL, which texts refuse (PostgreSQL cannot store it).
    letters = st.one_of(
        AWKWARD, st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
    )
    strings = st.lists(letters, max_size=20).map("".join)
    return strings if blank_ok else strings.filter(str.strip)


SLUGS = st.from_regex(r"[a-z0-9][a-z0-9-]{0,40}", fullmatch=True)
ZONES = st.sampled_from(["Europe/London", "Pacific/Apia", "Asia/Kathmandu", "America/St_Johns"])
WORDS = st.fixed_dictionaries({"event": text(False)}, optional={"note": text()})

COUNTERS = st.fixed_dictionaries(
    {
        "slug": SLUGS,
        "since": st.dates(dt.date(1900, 1, 1), dt.date(2200, 12, 31)),
        "timezone": st.one_of(st.none(), ZONES),
        "event": text(False),
        "note": text(),
        "translations": st.dictionaries(st.just("ru"), WORDS),
    }
).map(lambda values: complete(COUNTER, values))
STATEMENTS = st.fixed_dictionaries(
    {
        "title": text(False),
        "published": st.datetimes(
            dt.datetime(1970, 1, 1), dt.datetime(2200, 1, 1), timezones=st.just(dt.UTC)
        ),
        "slug": SLUGS,
        "language": st.sampled_from(["en", "ru", "de", "pt_BR"]),
        "source_url": st.sampled_from(["", "https://mid.example/a?b=1&c=%20"]),
        "summary": text(),
        "body": text(),
        "featured": st.booleans(),
        "draft": st.booleans(),
    }
).map(lambda values: complete(STATEMENT, values))


@pytest.mark.system  # a second or more: in the full suite, not the fast tier
@settings(max_examples=150, deadline=None)
@given(counter=COUNTERS, statement=STATEMENTS, zone=ZONES)
def test_any_counter_and_statement_survive_the_site_file(counter, statement, zone):
    """Through the real TOML text: tabs, quotes, CR LF, any Unicode, any date."""
    site = {**FULL[SITE], "timezone": zone}
    document = {
        "site": SITE.export(row(site)),
        "counters": [COUNTER.export(row(counter))],
        "statements": [STATEMENT.export(row(statement))],
    }
    spec = site_file(document)
    assert spec.counters == [counter]
    assert spec.statements == [statement]


# -- the admin's form ---------------------------------------------------------------------------
@pytest.mark.parametrize("values", [FULL, BARE], ids=["full", "bare"])
@pytest.mark.parametrize("entity", ALL, ids=ids(ALL))
def test_a_form_posted_as_shown_reads_back_the_same(entity, values):
    shown = entity.form_values(row(values[entity]), SITE_ZONE)
    read, unread = entity.from_form(posted(entity, shown, SITE_ZONE), SITE_ZONE)
    assert unread == {}
    assert entity.check(read, SITE_ZONE) == values[entity]


def test_a_new_rows_form_starts_from_the_schemas_initial_values():
    assert STATEMENT.form_values(None, Context("Asia/Tokyo", "ru"))["status"] == "draft"
    assert STATEMENT.form_values(None, Context("Asia/Tokyo", "ru"))["language"] == "ru"
    assert FEED.form_values(None, Context("UTC", "ru")) == {
        "interval_minutes": 30,
        "language": "ru",
        "publish": True,
    }
    assert COUNTER.form_values(None, SITE_ZONE) == {}


def test_values_a_form_cannot_read_are_reported_with_every_other_problem():
    form = MultiDict({"slug": "Bad Slug", "since": "2020-02-30", "event": ""})
    form["translations-ru-note"] = "a note without its event"
    values, unread = COUNTER.from_form(form, SITE_ZONE)
    assert "since" not in values and set(unread) == {"since", "translations"}
    with pytest.raises(FieldErrors) as caught:
        COUNTER.refuse_unread(values, unread, SITE_ZONE)
    fields = caught.value.fields
    assert set(fields) == {"slug", "since", "event", "translations"}
    assert fields["since"] == ["'2020-02-30' is not a date such as 2018-03-04"]
    # Shown again: what could be read, and the rest as it was typed.
    assert COUNTER.shown(values, form, SITE_ZONE)["since"] == "2020-02-30"


def test_the_form_is_drawn_in_the_schemas_order_with_the_sites_zone():
    names = [w.name for w in STATEMENT.widgets(SITE_ZONE)]
    assert names == [STATEMENT.field(n).form_name for n in STATEMENT.form_order]
    zone = next(w for w in COUNTER.widgets(Context("Asia/Tokyo")) if w.name == "timezone")
    assert "(Asia/Tokyo)" in zone.help and zone.attrs == {"list": "zones"}
    interval = next(w for w in FEED.widgets() if w.name == "interval_minutes")
    assert interval.attrs == {"min": "1", "max": "10080"}
    words = next(w for w in COUNTER.widgets(Context(locale="ru")) if w.name == "translations")
    assert [code for code, _ in words.options] == ["en"]  # the site's own language is the main one


# -- the API's JSON -----------------------------------------------------------------------------
@pytest.mark.parametrize("values", [FULL, BARE], ids=["full", "bare"])
def test_a_statements_json_reads_back_the_same(values):
    statement = row(values[STATEMENT])
    sent = STATEMENT.to_json(statement, writer=True)
    assert sent["published"] == "2020-01-26T09:30:00Z"
    computed = {key: "sent back" for key in STATEMENT.computed}
    read, unread = STATEMENT.from_json({**sent, **computed}, SITE_ZONE)
    assert unread == {} and not set(read) & STATEMENT.computed
    assert STATEMENT.check(read, SITE_ZONE) == values[STATEMENT]


def test_readers_json_has_every_public_field_and_no_draft():
    public = STATEMENT.to_json(row(FULL[STATEMENT]))
    assert set(public) == set(STATEMENT.names) - {"draft"}


def test_json_that_cannot_be_read_is_reported_with_every_other_problem():
    values, unread = STATEMENT.from_json({"published": "yesterday", "title": ""}, SITE_ZONE)
    with pytest.raises(FieldErrors) as caught:
        STATEMENT.refuse_unread(values, unread, SITE_ZONE)
    assert list(caught.value.fields) == ["title", "published"]
    assert "not an RFC 3339 date-time" in caught.value.fields["published"][0]


# -- problems -----------------------------------------------------------------------------------
BAD = {  # a record, and the required keys it leaves out
    SITE: ({"title": " ", "timezone": "Mars/Base", "locale": "fr", "latest_count": -1}, set()),
    CLOCK: ({"label": "A", "timezone": "Nope/Z", "hour12": "yes"}, set()),
    COUNTER: ({"slug": "Bad", "since": "2020-01-01", "evnet": "x"}, {"event"}),
    STATEMENT: (
        {"title": 5, "published": "x", "featured": 1, "source_url": "ftp://x", "topics": ["nope"]},
        set(),
    ),
    TOPIC: ({"slug": "OSCE", "translations": {"xx": {"name": "OSCE"}}}, {"name"}),
    FEED: ({"url": "ftp://x", "interval_minutes": 0, "language": "xx-nolang"}, set()),
}


@pytest.mark.parametrize("entity", ALL, ids=ids(ALL))
def test_every_bad_key_is_named_at_once(entity):
    table, missing = BAD[entity]
    with pytest.raises(FieldErrors) as caught:
        entity.check(table, SITE_ZONE)
    bad = set(table) - {"label"}  # the clock's label is the one good value there
    assert set(caught.value.fields) == bad | missing


def test_unknown_keys_are_named_with_what_is_allowed():
    with pytest.raises(FieldErrors) as caught:
        CLOCK.check({"label": "A", "timezone": "UTC", "hours12": True})
    assert caught.value.fields == {
        "hours12": ["unknown key 'hours12' (allowed: hour12, label, timezone, translations)"]
    }


def test_an_unknown_site_zone_is_the_problem_not_a_crash():
    """A statement's slug is made from its date in the site's zone: with no such zone there is
    no slug to make, and the file is refused for the zone."""
    text = '[site]\ntitle = "T"\ntimezone = "Mars/Base"\n[[statements]]\ntitle = "Hello"\n'
    text += "published = 2020-01-01T10:00:00Z\n"
    with pytest.raises(sitefile.SiteFileError) as caught:
        sitefile.parse(text, "t.toml")
    assert caught.value.problems == [
        "line 3: [site]: timezone 'Mars/Base' is not a known IANA time zone"
    ]


def test_an_order_must_name_every_field_once():
    fields = (Field("a", Text()), Field("b", Text()))
    with pytest.raises(ValueError, match="must name each of"):
        Entity(name="x", fields=fields, export_order=("a",))
    with pytest.raises(ValueError, match="must name each of"):
        Entity(name="x", fields=fields, export_order=("a", "a"))
    with pytest.raises(ValueError, match="two fields have one name"):
        Entity(name="x", fields=(*fields, Field("a", Text())))


# -- a new field ----------------------------------------------------------------------------------
def test_a_new_counter_field_is_read_exported_on_the_form_and_reaches_templates(monkeypatch):
    """What a colour (here `tint`) takes: a Field in the schema (and a column). The site
    file, the form, the export and the snapshot's `extra` follow from it."""
    tint = Field("tint", Text(strip=True), export=IF_SET, form=Form("Tint"))
    extended = dataclasses.replace(COUNTER, fields=(*COUNTER.fields, tint))
    monkeypatch.setattr(counter_schema, "COUNTER", extended)
    values = {**FULL[COUNTER], "tint": "#aa0000"}

    assert extended.check(extended.export(row(values))) == values
    shown = extended.form_values(row(values), SITE_ZONE)
    read, _unread = extended.from_form(posted(extended, shown, SITE_ZONE), SITE_ZONE)
    assert extended.check(read) == values

    definition = counter_schema.definition(row(values), "Europe/London")
    assert definition.extra["tint"] == "#aa0000"
    content = SiteContent(
        revision=1,
        title="T",
        timezone="UTC",
        contact="",
        locale="en",
        clocks=(),
        counters=(definition,),
    )
    shot = snapshot(dt.datetime(2020, 1, 26, tzinfo=dt.UTC), content)
    assert shot.counters[0].extra["tint"] == "#aa0000"


def test_a_new_statement_field_reaches_readers_json_and_templates(monkeypatch):
    """A statement's field also takes its place in the export's and the form's order (leaving
    it out is refused at once, not found in a missing export)."""
    kicker = Field("kicker", Text(), export=IF_SET, form=Form("Kicker"))
    fields = (*STATEMENT.fields, kicker)
    with pytest.raises(ValueError, match="must name each of"):
        dataclasses.replace(STATEMENT, fields=fields)
    extended = dataclasses.replace(
        STATEMENT,
        fields=fields,
        export_order=(*STATEMENT.export_order, "kicker"),
        form_order=(*STATEMENT.form_order, "kicker"),
    )
    monkeypatch.setattr(statement_schema, "STATEMENT", extended)
    values = {**FULL[STATEMENT], "kicker": "More"}

    assert extended.check(extended.export(row(values)), SITE_ZONE) == values
    shown = statement_schema.item(row(values))
    assert shown.extra["kicker"] == "More" and "draft" not in shown.extra  # the writers' alone
    assert extended.to_json(shown)["kicker"] == "More"
