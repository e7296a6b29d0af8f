"""Search on PostgreSQL: `statements.search`, a tsvector that PostgreSQL generates from the
row itself in the statement's language's configuration, with a GIN index (migration 0008).
Being generated, it follows every write in the write's own transaction.

The configurations `dashboard_<stemmer>` are Snowball's, without stop words: the same stems
as on SQLite, and "the embassy" finds what "embassy" finds. A query word is looked for in
every language's configuration, and in 'simple' (the word itself) for statements in a
language that is not stemmed.
"""

from __future__ import annotations

import functools

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import REGCONFIG, TSVECTOR

from dashboard.content import models
from dashboard.search import words

COLUMN = sa.literal_column("statements.search", type_=TSVECTOR)
NORMALISATION = 1  # ts_rank divides by 1 + the log of the length: long bodies do not swamp


def configuration(algorithm: str) -> str:
    return f"dashboard_{algorithm}"


def configurations() -> tuple[str, ...]:
    return (*map(configuration, words.stemmers()), "simple")


def tsquery(query_words: tuple[str, ...]):
    """Every word, in any of its forms."""

    def any_form(word: str):
        forms = [sa.func.plainto_tsquery(sa.cast(c, REGCONFIG), word) for c in configurations()]
        return functools.reduce(lambda a, b: a.op("||")(b), forms)

    return functools.reduce(lambda a, b: a.op("&&")(b), map(any_form, query_words))


def candidates(query_words: tuple[str, ...], conditions: list, count: int) -> sa.Subquery:
    """The newest `count` statements that match and pass `conditions`, with their score:
    ts_rank, as a whole number so that a cursor compares exactly."""
    statement = models.Statement
    query = tsquery(query_words)
    rank = sa.cast(sa.func.ts_rank(COLUMN, query, NORMALISATION), sa.Float)
    score = sa.cast(sa.func.round(rank * 1_000_000), sa.BigInteger)
    return (
        sa.select(statement.id.label("id"), score.label("score"))
        .where(COLUMN.op("@@")(query), *conditions)
        .order_by(statement.published.desc(), statement.id.desc())
        .limit(count)
        .subquery()
    )
