"""Migration 0014: statements public before webhooks existed count as announced (no scheduler
sends them as news), scheduled ones and drafts are announced when they are published; and it
goes down again."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from dashboard.content import store
from tests.helpers.migrations import app_at_migration

INSERT = sa.text(
    "INSERT INTO statements (slug, published, title, summary, body, body_html, featured, "
    "source_url, language, draft, updated_at, translation_of) VALUES (:slug, :at, 'T', '', '', "
    "'', :no, '', 'en', :draft, :at, '')"
)


@pytest.mark.system  # the whole chain to 0011 first: a second or more
def test_public_statements_count_as_announced_and_the_migration_goes_down(database_url, tmp_path):
    _app, the_store = app_at_migration(database_url, str(tmp_path), "0011")
    now = dt.datetime.now(dt.UTC)
    stored = now if the_store.engine.dialect.name != "sqlite" else now.replace(tzinfo=None)
    with the_store.engine.begin() as connection:
        for slug, shift, draft in (
            ("public", -60, False),
            ("later", 3600, False),
            ("draft", -60, True),
        ):
            at = stored + dt.timedelta(seconds=shift)
            connection.execute(INSERT, {"slug": slug, "at": at, "no": False, "draft": draft})
    store.migrate(the_store)
    with the_store.engine.connect() as connection:
        announced = connection.scalars(
            sa.text(
                "SELECT s.slug FROM statement_announcements a "
                "JOIN statements s ON s.id = a.statement_id"
            )
        ).all()
        assert announced == ["public"]
        assert sa.inspect(connection).has_table("webhook_deliveries")
    config = Config()
    config.set_main_option("script_location", store.MIGRATIONS)
    with the_store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0011")
    with the_store.engine.connect() as connection:
        tables = set(sa.inspect(connection).get_table_names())
    assert not tables & {"webhooks", "webhook_deliveries", "statement_announcements"}
    assert "statements" in tables
    the_store.engine.dispose()
