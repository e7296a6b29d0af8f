"""The search index follows every write, in the write's own transaction: site files, the
admin, the API, feeds, bulk inserts and deletes; a write that fails or rolls back leaves it
as it was. The migration builds it from the statements already stored, and takes it away."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
import time_machine
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from dashboard.content import editing, models, store
from dashboard.content.store import EXTENSION as STORE
from dashboard.feeds import ingest
from tests.helpers.admin import post_form, statement_row
from tests.helpers.feeds import ROUTES, add_feed, feed_server
from tests.helpers.migrations import app_at_migration
from tests.helpers.reference import REFERENCE_INSTANT
from tests.helpers.search import (
    api_slugs,
    index_problems,
    is_sqlite,
    make_token,
    publish,
)

# A module of a second or more: in the full suite, not the fast tier.
pytestmark = pytest.mark.system

SITE = """[site]
title = "Index"
timezone = "Europe/London"

[[statements]]
slug = "from-file"
published = 2020-01-10
title = "Заявление о переговорах"
language = "ru"
body = "{body}"
"""


def test_a_site_file_load_and_reload_keep_the_index(empty_app, tmp_path, at_reference):
    path = tmp_path / "site.toml"
    client = empty_app.test_client()
    steps = [("Текст посольства.", "посольство", None), ("Другой текст.", "текстом", "посольство")]
    for body, found, gone in steps:
        path.write_text(SITE.format(body=body), encoding="utf-8")
        result = empty_app.test_cli_runner().invoke(args=["load", str(path)])
        assert result.exit_code == 0, result.output
        assert api_slugs(client, found) == ["from-file"]
        assert gone is None or api_slugs(client, gone) == []
        assert index_problems(empty_app) == []


def test_admin_writes_keep_the_index(app, admin_client):
    form = {
        "title": "On the glasswing accord",
        "published": "2020-01-26T09:30",
        "status": "published",
        "summary": "",
        "body": "",
        "source_url": "",
        "language": "en",
        "slug": "glasswing",
    }
    assert post_form(admin_client, "/admin/statements/new", form).status_code == 303
    assert api_slugs(admin_client, "glasswings") == ["glasswing"]
    row = statement_row(app, "glasswing")
    edited = {**form, "title": "On the moonpetal accord"}
    assert post_form(admin_client, f"/admin/statements/{row.id}", edited).status_code == 303
    assert api_slugs(admin_client, "glasswing") == []
    assert api_slugs(admin_client, "moonpetal") == ["glasswing"]
    assert index_problems(app) == []
    assert post_form(admin_client, f"/admin/statements/{row.id}/delete", {}).status_code == 303
    assert api_slugs(admin_client, "moonpetal") == []
    assert index_problems(app) == []


def test_api_writes_keep_the_index(app, client, at_reference):
    token = make_token(app)
    auth = {"Authorization": f"Bearer {token}"}
    publish(client, token, title="Ironbark memo", body="About *quillfeather* things.", slug="m")
    assert api_slugs(client, "quillfeather") == api_slugs(client, "ironbark") == ["m"]
    replaced = {"title": "Saltmarsh memo", "published": "2020-01-20T12:00:00Z", "body": "Fresh."}
    assert client.put("/api/v1/statements/m", json=replaced, headers=auth).status_code == 200
    assert api_slugs(client, "quillfeather") == [] and api_slugs(client, "saltmarsh") == ["m"]
    patched = client.patch("/api/v1/statements/m", json={"summary": "Emberfall."}, headers=auth)
    assert patched.status_code == 200
    assert api_slugs(client, "emberfall saltmarsh") == ["m"]
    # A new date moves the statement in the index (its key holds the date) and keeps it whole.
    moved = client.patch(
        "/api/v1/statements/m", json={"published": "2019-06-01T00:00:00Z"}, headers=auth
    )
    assert moved.status_code == 200
    assert api_slugs(client, "emberfall", year=2019) == ["m"]
    assert api_slugs(client, "emberfall", year=2020) == []
    assert index_problems(app) == []
    assert client.delete("/api/v1/statements/m", headers=auth).status_code == 204
    assert api_slugs(client, "saltmarsh") == [] and index_problems(app) == []


def test_feed_items_are_found(app):
    app.config.update(FEED_CONNECT_TIMEOUT=2.0, FEED_READ_TIMEOUT=0.5, FEED_TOTAL_TIMEOUT=10.0)
    with feed_server(ROUTES) as server, time_machine.travel(REFERENCE_INSTANT, tick=False):
        report = ingest.poll_feed(app, add_feed(app, server.url("/atom")))
        assert report.error is None and report.new == 1
        found = api_slugs(app.test_client(), "entries")  # "An Atom entry", its text as words
        assert len(found) == 1 and api_slugs(app.test_client(), "long text") == found
    assert index_problems(app) == []


def test_a_write_that_rolls_back_leaves_the_index_as_it_was(app, client, at_reference):
    with app.app_context(), pytest.raises(RuntimeError), editing.content_write() as db:
        db.add(_statement("rolled-back", "Thornapple"))
        db.flush()  # the index row is written here, in the transaction
        raise RuntimeError("the write fails after its insert")
    assert api_slugs(client, "thornapple") == [] and index_problems(app) == []
    # A write refused for a taken slug leaves it alone too.
    token = make_token(app)
    publish(client, token, title="Thornapple one", slug="taken")
    clash = client.post(
        "/api/v1/statements",
        json={"title": "Thornapple two", "published": "2020-01-20T12:00:00Z", "slug": "taken"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert clash.status_code == 409
    assert api_slugs(client, "thornapple") == ["taken"] and index_problems(app) == []


def _statement(slug: str, title: str, **fields) -> models.Statement:
    return models.Statement(
        slug=slug, title=title, published=dt.datetime(2020, 1, 5, tzinfo=dt.UTC), **fields
    )


def test_bulk_inserts_are_indexed_as_well(app, client, at_reference):
    rows = [
        {"slug": f"bulk-{n}", "title": f"Bulk item {n} foxglove", "published": REFERENCE_INSTANT}
        for n in range(30)
    ]
    the_store = app.extensions[STORE]
    with the_store.session() as db, db.begin():
        db.execute(sa.insert(models.Statement), rows)
    the_store.changed()  # this process's copies go, as after any write
    assert len(api_slugs(client, "foxglove")) == 30 and index_problems(app) == []
    with the_store.session() as db, db.begin():
        db.execute(sa.delete(models.Statement).where(models.Statement.slug.like("bulk-%")))
    the_store.changed()
    assert api_slugs(client, "foxglove") == [] and index_problems(app) == []


def _alembic() -> Config:
    config = Config()
    config.set_main_option("script_location", store.MIGRATIONS)
    return config


# The revision the search index comes after, wherever the chain puts it.
BEFORE = ScriptDirectory.from_config(_alembic()).get_revision("0008").down_revision


def test_the_migration_indexes_what_is_there_and_goes_back(database_url, tmp_path):
    app, the_store = app_at_migration(database_url, str(tmp_path), BEFORE)
    with the_store.engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO statements (slug, published, title, summary, body, body_html, "
                "featured, source_url, language, draft, updated_at) VALUES ('old', :at, "
                "'Посольства и консульства', '', '', '<p>Old <em>marigold</em> text</p>', "
                "false, '', 'ru', false, :at)"
            ),
            {"at": dt.datetime(2020, 1, 1, tzinfo=dt.UTC)},
        )
    store.migrate(the_store)
    client = app.test_client()
    with time_machine.travel(REFERENCE_INSTANT, tick=False):
        assert api_slugs(client, "посольство") == api_slugs(client, "marigolds") == ["old"]
    assert index_problems(app) == []
    with the_store.engine.begin() as connection:
        config = _alembic()
        config.attributes["connection"] = connection
        command.downgrade(config, BEFORE)
    assert "statement_search" not in sa.inspect(the_store.engine).get_table_names()
    assert "search" not in {
        c["name"] for c in sa.inspect(the_store.engine).get_columns("statements")
    }
    store.migrate(the_store)
    with time_machine.travel(REFERENCE_INSTANT, tick=False):
        assert api_slugs(client, "консульство") == ["old"]
    the_store.engine.dispose()


def test_the_index_is_in_place_at_the_newest_migration(app):
    """A later migration that rebuilds the statements table must create the triggers again."""
    engine = app.extensions[STORE].engine
    with engine.connect() as connection:
        if is_sqlite(app):
            found = connection.execute(
                sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            ).scalars()
            assert {"statement_search_insert", "statement_search_update",
                    "statement_search_delete"} <= set(found)  # fmt: skip
        else:
            generated = connection.execute(
                sa.text(
                    "SELECT is_generated FROM information_schema.columns "
                    "WHERE table_name = 'statements' AND column_name = 'search'"
                )
            ).scalar_one()
            assert generated == "ALWAYS"
    assert index_problems(app) == []
