"""A search: the words asked for, and one page of the statements that hold them all, best
first. Only the newest `candidates` matches are ranked (config.SEARCH_CANDIDATES): ranking
every match of a common word in a large archive costs time in proportion to the archive,
and a reader narrows a search with more words, a year or a month rather than paging far.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.orm import Session

from dashboard import config
from dashboard.content import models, store
from dashboard.content.filters import StatementFilters
from dashboard.content.schema import statement as statement_schema
from dashboard.core.snapshot import StatementItem
from dashboard.search import excerpts, postgres, sqlite, words

# A search page's cursor: the (score, id) of the last statement shown.
RankCursor = tuple[int, int]


@dataclasses.dataclass(frozen=True)
class Query:
    words: tuple[str, ...]  # lower-cased, each once, in the order typed
    groups: tuple[frozenset[str], ...]  # each word's forms
    wanted: frozenset[str]  # every form: what an excerpt marks


def parse(text: str) -> Query:
    """The words of what a reader typed; anything else in it (quotes, operators, brackets)
    only separates words."""
    found = tuple(dict.fromkeys(words.words(text)))
    groups = tuple(words.forms(word) for word in found)
    return Query(found, groups, words.all_forms(groups))


@dataclasses.dataclass(frozen=True)
class Hit:
    item: StatementItem
    score: int
    title: Markup  # with the matches marked
    excerpt: Markup


def search_page(
    session: Session,
    query: Query,
    limit: int,
    at: dt.datetime,
    zone_name: str,
    filters: StatementFilters,
    before: RankCursor | None = None,
    candidates: int | None = None,
) -> tuple[list[Hit], RankCursor | None]:
    """Statements readers see at `at` that hold every word of `query`, best first, by
    keyset: `before` is the (score, id) of the last one already shown."""
    assert query.words, "a search needs a word"
    count = candidates or config.SEARCH_CANDIDATES
    conditions = [store.visible_at(at), *filters.conditions(zone_name)]
    if session.get_bind().dialect.name == "postgresql":
        found = postgres.candidates(query.words, conditions, count)
    else:
        period = filters.published_range(zone_name)
        found = sqlite.candidates(query.groups, conditions, period, at, count)
    page = sa.select(found.c.id, found.c.score).order_by(found.c.score.desc(), found.c.id.desc())
    if before is not None:
        page = page.where(sa.tuple_(found.c.score, found.c.id) < before)
    ranked = session.execute(page.limit(limit + 1)).all()
    more = len(ranked) > limit
    ranked = ranked[:limit]
    statement = models.Statement
    ids = [row.id for row in ranked]
    rows = {r.id: r for r in session.scalars(sa.select(statement).where(statement.id.in_(ids)))}
    hits = [_hit(rows[row.id], row.score, query.wanted) for row in ranked if row.id in rows]
    cursor = (ranked[-1].score, ranked[-1].id) if more and ranked else None
    return hits, cursor


def _hit(row: models.Statement, score: int, wanted: frozenset[str]) -> Hit:
    item = statement_schema.item(row)
    return Hit(
        item=item,
        score=score,
        title=excerpts.highlighted(item.title, item.language, wanted),
        excerpt=excerpts.excerpt(item.summary, item.body_html, item.language, wanted),
    )
