"""Migration 0010 (revisions, corrections, the audit log) goes up and down keeping the
statements, and its triggers come and go with the audit log."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from alembic import command

from dashboard.content import audit, models, store
from tests.helpers.migrations import app_at_migration
from tests.web.test_migrations import _alembic

pytestmark = pytest.mark.system

INSERT = sa.text(
    "INSERT INTO statements (slug, published, title, summary, body, body_html, featured, "
    "source_url, language, draft, updated_at) VALUES ('old', :at, 'Old statement', '', '', "
    "'', :no, '', 'en', :no, :at)"
)


def test_0010_goes_up_and_down_keeping_the_statements(database_url, tmp_path):
    _app, the_store = app_at_migration(database_url, str(tmp_path), "0009")
    with the_store.engine.begin() as connection:
        connection.execute(INSERT, {"at": dt.datetime(2020, 1, 1, 12, 0), "no": False})
    store.migrate(the_store, "0010")
    with the_store.session() as db, db.begin():
        # In SQL: the models describe the newest schema, which has columns 0010 has not.
        row = db.execute(sa.text("SELECT id, slug, corrected_at FROM statements")).one()
        assert row.slug == "old" and row.corrected_at is None
        db.add(
            models.StatementRevision(
                statement_id=row.id, number=1, fields={"title": "Older"},
                saved_at=dt.datetime(2020, 1, 2, tzinfo=dt.UTC), saved_by="x", correction=False,
            )
        )  # fmt: skip
        audit.record(db, "statement.edit", "old", actor="x")
    _alembic(the_store, command.downgrade, "0009")
    with the_store.engine.connect() as connection:
        inspector = sa.inspect(connection)
        assert not inspector.has_table("audit_log")
        assert not inspector.has_table("statement_revisions")
        assert "corrected_at" not in {c["name"] for c in inspector.get_columns("statements")}
        titles = connection.execute(sa.text("SELECT title FROM statements")).scalars().all()
    assert titles == ["Old statement"]
    store.migrate(the_store)
    with the_store.session() as db, db.begin():
        audit.record(db, "signin", "x", actor="x")  # the log works again, with its triggers
    refused = pytest.raises(sa.exc.DBAPIError, match="never changed")
    with refused, the_store.engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM audit_log"))
    the_store.engine.dispose()
