"""Topics in site files: [[topics]] declared with a name per language, statements naming them
by slug, every problem named with its file, statement and line; the migration up and down."""

from __future__ import annotations

import textwrap

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from dashboard.content import models, sitefile, store
from dashboard.content.store import EXTENSION as STORE
from tests.helpers.migrations import app_at_migration

SITE = textwrap.dedent(
    """\
    [site]
    title = "Embassy"
    timezone = "Europe/London"

    [[topics]]
    slug = "osce"
    name = "OSCE"

    [topics.translations.ru]
    name = "ОБСЕ"

    [[topics]]
    slug = "salisbury"
    name = "The Salisbury incident"

    [[statements]]
    slug = "one"
    published = 2020-01-10
    title = "One"
    topics = ["salisbury", "osce"]

    [[statements]]
    slug = "two"
    published = 2020-01-11
    title = "Two"
    topics = ["osce"]
    """
)


def load(app, tmp_path, text: str):
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    return app.test_cli_runner().invoke(args=["load", str(path)])


def stored(app) -> dict:
    with app.extensions[STORE].session() as db:
        topics = db.scalars(sa.select(models.Topic).order_by(models.Topic.position))
        statements = db.scalars(sa.select(models.Statement).order_by(models.Statement.slug))
        return {
            "topics": [(t.slug, t.name, t.translations, t.position) for t in topics],
            "statements": {s.slug: s.topics for s in statements},
        }


def test_topics_load_with_their_names_and_statements_name_them(empty_app, tmp_path):
    first = load(empty_app, tmp_path, SITE)
    assert first.exit_code == 0, first.output
    assert "topics: 2 new, 0 changed, 0 unchanged; statements: 2 new" in first.output
    assert stored(empty_app) == {
        "topics": [
            ("osce", "OSCE", {"ru": {"name": "ОБСЕ"}}, 0),
            ("salisbury", "The Salisbury incident", {}, 1),
        ],
        # In the topics' order, whatever order the statement named them in.
        "statements": {"one": ["osce", "salisbury"], "two": ["osce"]},
    }
    again = load(empty_app, tmp_path, SITE)
    assert "topics: 0 new, 0 changed, 2 unchanged; statements: 0 new, 0 changed, 2" in again.output


def test_a_reload_gives_statements_the_files_topics(empty_app, tmp_path):
    assert load(empty_app, tmp_path, SITE).exit_code == 0
    with empty_app.extensions[STORE].session() as db:
        updated = db.scalars(sa.select(models.Statement.updated_at).order_by(models.Statement.slug))
        before = list(updated)
    changed = SITE.replace('topics = ["osce"]', 'topics = ["salisbury"]')
    changed = changed.replace('topics = ["salisbury", "osce"]\n', "")
    result = load(empty_app, tmp_path, changed)
    assert "statements: 0 new, 2 changed, 0 unchanged" in result.output, result.output
    assert stored(empty_app)["statements"] == {"one": [], "two": ["salisbury"]}
    with empty_app.extensions[STORE].session() as db:
        updated = db.scalars(sa.select(models.Statement.updated_at).order_by(models.Statement.slug))
        assert all(now > then for now, then in zip(updated, before, strict=True))  # Atom's


def test_an_undeclared_topic_names_the_file_the_statement_and_how_to_declare_it(
    empty_app, tmp_path
):
    text = SITE.replace('topics = ["osce"]', 'topics = ["osce", "consular"]')
    result = load(empty_app, tmp_path, text)
    assert result.exit_code == 1
    path = tmp_path / "site.toml"
    assert f"{path}: cannot load, nothing was changed" in result.output
    assert (
        "line 26: statements[2]: there is no topic 'consular'; declare it first: a [[topics]] "
        'table with slug = "consular" and a name'
    ) in result.output
    with empty_app.extensions[STORE].session() as db:
        assert db.get(models.Site, 1) is None and db.scalars(sa.select(models.Topic)).all() == []


def test_a_file_declares_the_topics_its_statements_name(empty_app, tmp_path):
    """A topic already stored is not enough: a site file says everything it relies on."""
    assert load(empty_app, tmp_path, SITE).exit_code == 0
    without = SITE[: SITE.index("[[topics]]")] + SITE[SITE.index("[[statements]]") :]
    result = load(empty_app, tmp_path, without)
    assert result.exit_code == 1
    assert "statements[1]: there is no topic 'salisbury'" in result.output
    assert "statements[2]: there is no topic 'osce'" in result.output


BAD = textwrap.dedent(
    """\
    [site]
    title = "T"
    timezone = "UTC"

    [[topics]]
    slug = "OSCE"
    name = "Upper case"

    [[topics]]
    slug = "a"

    [topics.translations.de]
    name = "Deutsch"

    [[topics]]
    slug = "a"
    name = "Twice"

    [topics.translations.ru]
    nmae = "Опечатка"

    [[statements]]
    title = "Not a list"
    published = 2020-01-01
    topics = "a"

    [[statements]]
    title = "Named twice"
    published = 2020-01-02
    topics = ["a", "a", "Bad Slug"]
    """
)


def test_every_topic_problem_is_named_at_once():
    with pytest.raises(sitefile.SiteFileError) as caught:
        sitefile.parse(BAD, "bad.toml")
    problems = "\n".join(caught.value.problems)
    for expected in (
        "line 6: topics[1]: slug 'OSCE' must be lower-case letters, digits and hyphens",
        "topics[2] ('a'): missing required key 'name'",
        "topics[2] ('a').translations.de: language 'de' is not supported (en, ru)",
        "line 20: topics[3] ('a').translations.ru: unknown key 'nmae' (allowed: name)",
        "topics[3] ('a').translations.ru: missing required key 'name'",
        "topics[3]: duplicate slug 'a' (first used by topics[2])",
        """line 25: statements[1]: 'topics' must be a list of topic slugs, such as ["osce"]""",
        "statements[2]: topic 'a' is named twice",
        "line 30: statements[2]: topic 'Bad Slug' is not a slug (lower-case letters, digits, "
        "hyphens)",
    ):
        assert expected in problems, expected
    assert len(caught.value.problems) == 9, problems


def test_the_migration_adds_topics_and_downgrades(database_url, tmp_path):
    config = Config()
    config.set_main_option("script_location", store.MIGRATIONS)
    previous = ScriptDirectory.from_config(config).get_revision("0009").down_revision
    _app, the_store = app_at_migration(database_url, str(tmp_path), previous)
    with the_store.engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO statements (slug, published, title, summary, body, featured, "
                "source_url, language, draft, updated_at, body_html) VALUES ('old', "
                "'2020-01-01 12:00:00', 'Old', '', '', :no, '', 'en', :no, "
                "'2020-01-01 12:00:00', '')"
            ),
            {"no": False},
        )
    store.migrate(the_store)
    with the_store.session() as db:
        assert db.scalars(sa.select(models.Statement)).one().topics == []
        db.add(models.Topic(slug="osce", name="OSCE", translations={}, position=0))
        db.commit()
    with the_store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, previous)
    with the_store.engine.connect() as connection:
        inspector = sa.inspect(connection)
        assert not inspector.has_table("topics") and not inspector.has_table("statement_topics")
        assert inspector.has_table("statements")
    the_store.engine.dispose()
