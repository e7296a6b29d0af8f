"""Search on SQLite: an FTS5 table of stems, kept by triggers (migration 0008).

The triggers call two functions that every connection of the store registers (make_store):
the stems of a text in a statement's language, and the statement's key in the index. So no
write, whatever path it takes (site file, admin, API, feeds, a bulk insert), can leave the
index behind, and a write that rolls back takes its index rows with it. A connection without
them (the sqlite3 shell) cannot write statements at all, rather than write them unindexed.

The index's rowid is the key: the minute of publication, then the statement's id, so that
FTS5, which reads a word's matches in rowid order, reads the newest first and stops after the
candidates it needs, and a year or month is a range of rowids.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from dashboard.content import models
from dashboard.search import words

TABLE = "statement_search"
ID_BITS = 31  # ids are PostgreSQL integers: below 2**31
ID_MASK = 2**ID_BITS - 1
EPOCH = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)  # the earliest instant the store accepts
# Columns' weights in bm25: a match in the title counts most, in the summary more than in
# the body (PostgreSQL's ts_rank weighs them the same: 1.0, 0.4, 0.1).
WEIGHTS = (10.0, 4.0, 1.0)
# bm25 times this, rounded, is a score. bm25 gives a word in most statements a weight of 1e-6
# or so: a coarser scale would tie them all.
SCALE = 10**12


def key(published: dt.datetime, row_id: int) -> int:
    since = published - EPOCH
    minutes = (since.days * 86400 + since.seconds) // 60  # whole numbers: no float rounding
    return (minutes << ID_BITS) | row_id


def _stored_key(published: str | None, row_id: int | None) -> int | None:
    """key() of a row as the trigger sees it: `published` as SQLite stores it (UTC)."""
    if published is None or row_id is None:
        return None
    return key(dt.datetime.fromisoformat(published).replace(tzinfo=dt.UTC), row_id)


def _index_text(language, text, is_html) -> str:
    return words.index_text(language, text, bool(is_html))


def register(dbapi_connection) -> None:
    """The functions migration 0008's triggers call, on one sqlite3 connection."""
    dbapi_connection.create_function("dashboard_search_text", 3, _index_text, deterministic=True)
    dbapi_connection.create_function("dashboard_search_key", 2, _stored_key, deterministic=True)


def match_expression(groups: tuple[frozenset[str], ...]) -> str:
    """The FTS5 query: each word is any of its forms, and every word must be there. Each form
    is quoted as an FTS5 string (a form is letters and digits only, so quoting is a formality:
    nothing typed is ever read as FTS5 syntax)."""

    def quoted(form: str) -> str:
        return '"' + form.replace('"', '""') + '"'

    return " AND ".join("(" + " OR ".join(map(quoted, sorted(g))) + ")" for g in groups)


def candidates(
    groups: tuple[frozenset[str], ...],
    conditions: list,
    published_range: tuple[dt.datetime | None, dt.datetime | None],
    at: dt.datetime,
    count: int,
) -> sa.Subquery:
    """The newest `count` statements that match and pass `conditions`, with their score:
    bm25 (higher is better) as a whole number so that a cursor compares exactly."""
    index = sa.table(TABLE, sa.column("rowid", sa.Integer))
    table = sa.literal_column(TABLE)
    start, end = published_range
    lowest = key(start, 0) if start is not None else 0
    last = at if end is None else min(at, end)
    highest = key(last, ID_MASK)
    bm25 = sa.func.bm25(table, *WEIGHTS)
    score = sa.cast(sa.func.round(-bm25 * SCALE), sa.Integer)
    statement = models.Statement
    return (
        sa.select(statement.id.label("id"), score.label("score"))
        .select_from(index)
        .join(statement, statement.id == index.c.rowid.op("&")(ID_MASK))
        .where(
            table.op("MATCH")(match_expression(groups)),
            index.c.rowid.between(lowest, highest),
            *conditions,
        )
        .order_by(index.c.rowid.desc())
        .limit(count)
        .subquery()
    )
