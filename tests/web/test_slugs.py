"""Slugs derived from titles in any script: Cyrillic is transliterated (two Russian statements
on one day no longer clash as `statement-DATE`), a Latin title gives the slug it gave before,
and a stored slug never changes, on a reload or an edit."""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from dashboard.content import models, sitefile
from dashboard.content.schema import statement as statement_schema
from dashboard.content.store import EXTENSION as STORE
from tests.helpers.reference import site_file

RUSSIAN = """
[[statements]]
published = 2020-01-26T10:00:00Z
title = "Заявление МИД России"
language = "ru"
body = "Первый."

[[statements]]
published = 2020-01-26T15:00:00Z
title = "Комментарий официального представителя"
language = "ru"
"""
DAY = dt.date(2020, 1, 26)


def slugs(app) -> list[str]:
    with app.extensions[STORE].session() as db:
        return sorted(db.scalars(sa.select(models.Statement.slug)))


def load(app, tmp_path, text):
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    return app.test_cli_runner().invoke(args=["load", str(path)])


def test_two_russian_statements_on_one_day_load_with_transliterated_slugs(empty_app, tmp_path):
    result = load(empty_app, tmp_path, site_file("good.toml") + RUSSIAN)
    assert result.exit_code == 0, result.output
    assert slugs(empty_app) == [
        "hello-world-a-first-statement-2020-02-01",
        "kommentarii-ofitsialnogo-predstavitelia-2020-01-26",
        "zaiavlenie-mid-rossii-2020-01-26",
    ]


def test_the_api_transliterates_and_still_makes_slugs_unique(app, at_reference):
    result = app.test_cli_runner().invoke(args=["create-token", "slugs"])
    headers = {"Authorization": "Bearer " + re.search(r"^(dsh_\S+)$", result.output, re.M)[1]}
    body = {"title": "Заявление МИД", "published": "2020-01-26T12:00:00Z"}
    client = app.test_client()
    made = [client.post("/api/v1/statements", json=body, headers=headers) for _ in range(2)]
    assert [m.json["slug"] for m in made] == [
        "zaiavlenie-mid-2020-01-26",
        "zaiavlenie-mid-2020-01-26-2",
    ]


def test_a_slug_stored_by_an_older_version_is_kept_on_reload(empty_app, tmp_path):
    """Versions before transliteration stored a Russian title as `statement-DATE`: reloading
    the same file updates that row, under that slug, rather than adding a second one."""
    text = site_file("good.toml") + RUSSIAN.split("\n\n[[statements]]")[0] + "\n"
    assert load(empty_app, tmp_path, text).exit_code == 0
    with empty_app.extensions[STORE].session() as db, db.begin():
        row = db.scalars(sa.select(models.Statement).where(models.Statement.language == "ru"))
        row.one().slug = "statement-2020-01-26"  # as the older version derived it
    reloaded = load(empty_app, tmp_path, text.replace("Первый.", "Первый, исправленный."))
    assert reloaded.exit_code == 0, reloaded.output
    assert "statements: 0 new, 1 changed, 1 unchanged" in reloaded.output
    assert slugs(empty_app) == ["hello-world-a-first-statement-2020-02-01", "statement-2020-01-26"]


def test_an_edit_keeps_the_slug(empty_app, tmp_path):
    text = site_file("good.toml") + RUSSIAN.split("\n\n[[statements]]")[0] + "\n"
    assert load(empty_app, tmp_path, text).exit_code == 0
    with empty_app.extensions[STORE].session() as db, db.begin():
        row = db.scalars(sa.select(models.Statement).where(models.Statement.language == "ru"))
        row.one().slug = "statement-2020-01-26"  # as the older version derived it
    made = empty_app.test_cli_runner().invoke(args=["create-token", "edits"])
    headers = {"Authorization": "Bearer " + re.search(r"^(dsh_\S+)$", made.output, re.M)[1]}
    edited = empty_app.test_client().patch(
        "/api/v1/statements/statement-2020-01-26",
        json={"title": "Заявление: новое название"},
        headers=headers,
    )
    assert edited.status_code == 200 and edited.json["slug"] == "statement-2020-01-26"
    assert slugs(empty_app) == ["hello-world-a-first-statement-2020-02-01", "statement-2020-01-26"]


def test_every_demo_title_derives_the_slug_it_derived_before():
    """In Latin script, that is: a Cyrillic title was `statement-DATE` before, and is now
    transliterated (tested above)."""
    spec = sitefile.read_file(sitefile.DEMO_PATH)
    latin = [s for s in spec.statements if s.get("language", "en") == "en"]
    assert len(latin) >= 10
    for statement in latin:
        title = statement["title"]
        assert statement_schema.slugify(title, DAY) == statement_schema.legacy_slugify(title, DAY)


@given(st.text(alphabet=st.characters(codec="ascii"), max_size=120))
def test_any_ascii_title_derives_the_slug_it_derived_before(title):
    assert statement_schema.slugify(title, DAY) == statement_schema.legacy_slugify(title, DAY)
