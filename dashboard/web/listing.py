"""The list of statements that the archive page and /api/v1/statements share: the same
parameters, the same filters and the same pages, newest first, or best first for a search
(`q` with words in it).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

from markupsafe import Markup
from sqlalchemy.orm import Session

from dashboard import config
from dashboard.content import store
from dashboard.content.filters import StatementFilters
from dashboard.core.snapshot import SiteContent, StatementItem
from dashboard.search import query as search
from dashboard.web import params
from dashboard.web.params import BadParameter, RankCursor, format_cursor, format_rank_cursor

YEARS = (1900, 2200)  # the years the store accepts


def parameters() -> dict[str, params.Parameter]:
    """What a list reads, for each view's params.Query."""
    return {
        "q": params.Text(config.SEARCH_MAX_LENGTH),
        "language": params.Text(35, pattern=r"[A-Za-z0-9_-]+", example="en or ru"),
        "year": params.Whole(*YEARS),
        "month": params.Whole(1, 12),
        "topic": params.TOPIC,
        "before": params.ListCursor(),
    }


NAMES = tuple(parameters())


@dataclasses.dataclass(frozen=True)
class Wanted:
    """The list a request asks for: checked, but not yet read from the store."""

    text: str  # `q` as given ("" for the plain archive)
    query: search.Query | None  # None: the plain archive, or a `q` without words
    filters: StatementFilters
    before: params.Cursor | RankCursor | None

    @property
    def problem(self) -> str | None:
        """Why a search cannot be made: `q` holds no word (only punctuation or operators)."""
        if self.text and self.query is None:
            return (
                f"There is nothing to search for in {self.text!r}: a search looks for words, "
                "made of letters or digits."
            )
        return None

    def arguments(self) -> dict[str, object]:
        """The parameters again, for links to other pages of the same list."""
        values = {"q": self.text, **dataclasses.asdict(self.filters)}
        return {name: value for name, value in values.items() if value}

    def key(self) -> str:
        """A cache key part that tells every list apart."""
        before = self.before
        if isinstance(before, RankCursor):
            before = format_rank_cursor(before)
        elif before is not None:
            before = format_cursor(before)
        return json.dumps([self.text, dataclasses.astuple(self.filters), before])


def read(values: dict, content: SiteContent) -> Wanted:
    """The list `values` (a params.Query's) ask for, of the stored `content` (its topics);
    BadParameter naming what cannot be."""
    if values["month"] is not None and values["year"] is None:
        raise BadParameter("'month' needs a 'year': /statements?year=2020&month=1")
    if values["topic"]:
        params.known_topic(content, "topic", values["topic"])
    text = values["q"] or ""
    query = search.parse(text) if text else None
    if query is not None and not query.words:
        query = None
    if query is not None and len(query.words) > config.SEARCH_MAX_WORDS:
        raise BadParameter(f"'q' may have at most {config.SEARCH_MAX_WORDS} words")
    before = values["before"]
    searching = query is not None
    if before is not None and isinstance(before, RankCursor) != searching:
        kind = (
            "a search's (like r1234_42)" if searching else "a date (like 2020-01-16T00:00:00Z_42)"
        )
        raise BadParameter(
            f"'before' must be {kind} for this list, as its 'older' link gives: a cursor "
            "belongs to the list it came from"
        )
    filters = StatementFilters(
        language=values["language"] or None,
        year=values["year"],
        month=values["month"],
        topic=values["topic"] or None,
    )
    return Wanted(text=text, query=query, filters=filters, before=before)


@dataclasses.dataclass(frozen=True)
class Entry:
    item: StatementItem
    title: Markup | None = None  # a search's: the title with its matches marked
    excerpt: Markup | None = None  # a search's: a passage with its matches marked


@dataclasses.dataclass(frozen=True)
class Page:
    entries: list[Entry]
    next: str | None  # the cursor of the next page, as `before` takes it


def fetch(
    session: Session,
    wanted: Wanted,
    limit: int,
    at: dt.datetime,
    zone_name: str,
    locale: str | None = None,
) -> Page:
    """One page of the list, as readers see it at `at` (dates in the site's zone). With
    `locale` and no language asked for, each statement once, in its version for `locale`."""
    if wanted.query is None:
        if wanted.problem:
            return Page([], None)
        items, cursor = store.statements_page(
            session,
            limit,
            wanted.before,
            at=at,
            filters=wanted.filters,
            zone_name=zone_name,
            locale=None if wanted.filters.language else locale,
        )
        return Page([Entry(item) for item in items], format_cursor(cursor) if cursor else None)
    hits, cursor = search.search_page(
        session, wanted.query, limit, at, zone_name, wanted.filters, before=wanted.before
    )
    entries = [Entry(hit.item, hit.title, hit.excerpt) for hit in hits]
    return Page(entries, format_rank_cursor(cursor) if cursor else None)
