"""Every migration runs down as well as up, and the scheduling one keeps what was there."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from dashboard.content import models, sitefile, store
from tests.helpers.migrations import app_at_migration


def _alembic(the_store, step, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", store.MIGRATIONS)
    with the_store.engine.begin() as connection:
        config.attributes["connection"] = connection
        step(config, revision)


@pytest.mark.system  # a second or more: in the full suite, not the fast tier
def test_the_whole_chain_goes_down_and_up_again(database_url, tmp_path):
    _app, the_store = app_at_migration(database_url, str(tmp_path), "head")
    sitefile.load(the_store, sitefile.read_file(sitefile.DEMO_PATH))
    _alembic(the_store, command.downgrade, "base")
    with the_store.engine.connect() as connection:
        assert not sa.inspect(connection).has_table("statements")
    _alembic(the_store, command.upgrade, "head")
    assert store.schema_is_current(the_store)
    the_store.engine.dispose()


def test_statements_already_there_stay_published_and_never_expire(database_url, tmp_path):
    _app, the_store = app_at_migration(database_url, str(tmp_path), "0005")
    with the_store.engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO statements (slug, published, title, summary, body, body_html, "
                "featured, source_url, language, draft, updated_at) VALUES ('old', :at, "
                "'Old statement', '', '', '', :no, '', 'en', :no, :at)"
            ),
            {"at": dt.datetime(2020, 1, 1, 12, 0), "no": False},
        )
    store.migrate(the_store)
    with the_store.session() as db:
        row = db.scalars(sa.select(models.Statement)).one()
        assert row.expires is None
        assert store.statement_by_slug(db, "old", dt.datetime(2020, 1, 2, tzinfo=dt.UTC))
    the_store.engine.dispose()
