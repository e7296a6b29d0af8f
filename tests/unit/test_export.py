"""`dashboard export`: a site file that `dashboard load` reads back unchanged, drafts and awkward
text included; a progress bar for thousands of statements, on a terminal only."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from dashboard.content import models
from dashboard.content.store import EXTENSION as STORE
from tests.helpers.reference import site_file

AWKWARD = 'Tabs\tand "quotes", back\\slashes, """triple""", \u00e9\u0434 and a CR\r\nLF\n\n'


def content(app) -> dict:
    """What a site file carries, in page order: no ids, positions, revisions or timestamps."""
    with app.extensions[STORE].session() as db:
        clocks = db.scalars(
            sa.select(models.Clock).order_by(models.Clock.position, models.Clock.id)
        )
        counters = db.scalars(
            sa.select(models.Counter).order_by(models.Counter.position, models.Counter.id)
        )
        topics = db.scalars(sa.select(models.Topic).order_by(models.Topic.position))
        return {
            "site": site(app),
            "clocks": [(c.label, c.timezone, c.hour12, c.translations) for c in clocks],
            "counters": [
                (c.slug, c.since, c.timezone, c.event, c.note, c.translations) for c in counters
            ],
            "topics": [(t.slug, t.name, t.translations) for t in topics],
            "statements": statements(app),
        }


def statements(app) -> list[tuple]:
    with app.extensions[STORE].session() as db:
        rows = db.scalars(sa.select(models.Statement).order_by(models.Statement.slug)).all()
        return [
            (
                r.slug,
                r.published,
                r.title,
                r.summary,
                r.body,
                r.featured,
                r.draft,
                r.source_url,
                r.language,
                r.translation_of,
                r.topics,
            )  # fmt: skip
            for r in rows
        ]


def site(app) -> tuple:
    with app.extensions[STORE].session() as db:
        s = db.get(models.Site, 1)
        return (s.title, s.timezone, s.contact, s.locale, s.latest_count, s.translations)


def test_export_then_load_round_trips(app, tmp_path):
    with app.extensions[STORE].session() as db, db.begin():
        row = db.scalars(sa.select(models.Statement).order_by(models.Statement.id)).first()
        row.body, row.draft, row.summary = AWKWARD, True, "one\r\ntwo"
        db.add(models.Counter(slug="plain", since=dt.date(2030, 1, 1), event="x", position=9))
    first = tmp_path / "first.toml"
    result = app.test_cli_runner().invoke(args=["export", str(first)])
    assert result.exit_code == 0, result.output
    assert "Exported 13 statements" in result.output
    text = first.read_text(encoding="utf-8")
    assert "draft = true" in text and "[counters.translations.ru]" in text
    assert "[topics.translations.ru]" in text and '    "osce",\n' in text
    assert "[site.translations.ru]" in text and 'label = "Москва"' in text
    expected = content(app)

    # Loading it back into the same store changes nothing at all.
    again = app.test_cli_runner().invoke(args=["load", str(first)])
    assert again.exit_code == 0, again.output
    assert "statements: 0 new, 0 changed, 13 unchanged" in again.output

    # Into a store emptied of content: the same content, and its export is the same file.
    clear(app)
    loaded = app.test_cli_runner().invoke(args=["load", str(first)])
    assert loaded.exit_code == 0, loaded.output
    assert content(app) == expected
    second = tmp_path / "second.toml"
    assert app.test_cli_runner().invoke(args=["export", str(second)]).exit_code == 0
    assert second.read_bytes() == first.read_bytes()


def clear(app) -> None:
    with app.extensions[STORE].engine.begin() as connection:
        for table in ("statement_topics", "topics", "statements", "counters", "clocks"):
            connection.execute(sa.text(f"DELETE FROM {table}"))


def test_round_trip_through_an_empty_store(empty_app, tmp_path):
    """The same through a store that starts empty (works on PostgreSQL's per-test database)."""
    source = tmp_path / "source.toml"
    source.write_text(site_file("round-trip.toml"), encoding="utf-8")
    runner = empty_app.test_cli_runner()
    assert runner.invoke(args=["load", str(source)]).exit_code == 0
    before = content(empty_app)
    exported = tmp_path / "exported.toml"
    assert runner.invoke(args=["export", str(exported)]).exit_code == 0
    clear(empty_app)
    assert runner.invoke(args=["load", str(exported)]).exit_code == 0
    assert content(empty_app) == before
    again = tmp_path / "again.toml"
    assert runner.invoke(args=["export", str(again)]).exit_code == 0
    assert again.read_bytes() == exported.read_bytes()


def test_export_without_a_site_says_so(empty_app, tmp_path):
    result = empty_app.test_cli_runner().invoke(args=["export", str(tmp_path / "x.toml")])
    assert result.exit_code == 1 and "nothing to export" in result.output
    assert not (tmp_path / "x.toml").exists()
