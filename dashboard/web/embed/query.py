"""What an embed shows: its query, read from URL parameters and normalised, so that every
spelling of one widget is one URL and one cache entry."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict

from dashboard import config
from dashboard.core.snapshot import (
    ClockReading,
    CounterReading,
    DatedStatement,
    SiteContent,
    Snapshot,
)
from dashboard.i18n.languages import LANGUAGES, locales
from dashboard.web import params
from dashboard.web.params import BadParameter

THEMES = ("auto", "light", "dark")


@dataclasses.dataclass(frozen=True)
class EmbedQuery:
    """What an embed shows. `clocks`/`counters` None means "all of them" (neither was asked
    for); otherwise exactly those, in page order."""

    clocks: tuple[str, ...] | None
    counters: tuple[str, ...] | None
    statements: int = 0
    theme: str = "auto"
    locale: str = "en"
    transparent: bool = False

    def params(self) -> dict[str, str]:
        """The normalised query, in a fixed order: the embed's URL and its cache key."""
        params: dict[str, str] = {}
        if self.clocks:
            params["clocks"] = ",".join(self.clocks)
        if self.counters or (self.clocks is not None and not self.clocks):
            params["counters"] = ",".join(self.counters or ())  # "counters=": a chosen nothing
        if self.statements:
            params["statements"] = str(self.statements)
        if self.theme != "auto":
            params["theme"] = self.theme
        params["lang"] = self.locale
        if self.transparent:
            params["transparent"] = "1"
        return params

    def query_string(self) -> str:
        return urlencode(self.params(), safe=",")

    def pick_clocks(self, shot: Snapshot) -> tuple[ClockReading, ...]:
        if self.clocks is None and self.counters is None:
            return shot.clocks
        return tuple(c for c in shot.clocks if c.key in (self.clocks or ()))

    def pick_counters(self, shot: Snapshot) -> tuple[CounterReading, ...]:
        if self.clocks is None and self.counters is None:
            return shot.counters
        return tuple(c for c in shot.counters if c.slug in (self.counters or ()))


def _pick(asked: list[str], known: Sequence[str], parameter: str, kind: str) -> tuple[str, ...]:
    """The known names asked for, in page order; a name that is not there is an error."""
    folded = {name.casefold(): name for name in known}
    chosen = set()
    for name in asked:
        found = name if name in known else folded.get(name.casefold())
        if found is None:
            listing = ", ".join(known) or "none"
            raise BadParameter(f"'{parameter}': there is no {kind} {name!r} (there are: {listing})")
        chosen.add(found)
    return tuple(name for name in known if name in chosen)


# What /embed reads; the builder reads the same and whether its form was sent; oEmbed reads it
# from the address it is asked about.
EMBED_PARAMETERS = dict(
    clocks=params.Names(),
    counters=params.Names(),
    statements=params.Whole(0, config.EMBED_MAX_STATEMENTS, default=0),
    theme=params.OneOf(THEMES, default="auto"),
    lang=params.OneOf(LANGUAGES),
    transparent=params.Flag(),
)
WIDGET = params.Query("embed.widget", **EMBED_PARAMETERS)


def parse_query(
    args: MultiDict,
    content: SiteContent,
    clocks: list[str] | None = None,
    counters: list[str] | None = None,
) -> EmbedQuery:
    """An EmbedQuery from URL parameters, or BadParameter naming the first bad one."""
    return embed_query(WIDGET.parse(args), content, clocks, counters)


def embed_query(
    values: dict,
    content: SiteContent,
    clocks: list[str] | None = None,
    counters: list[str] | None = None,
) -> EmbedQuery:
    """An EmbedQuery from the parameters' values (WIDGET's), checked against the content.
    `clocks` and `counters` may come from elsewhere (the builder's check boxes)."""
    clocks = values["clocks"] if clocks is None else clocks
    counters = values["counters"] if counters is None else counters
    labels = [c.label for c in content.clocks]
    slugs = [c.slug for c in content.counters]
    chosen_clocks = chosen_counters = None
    if clocks is not None or counters is not None:
        chosen_clocks = _pick(clocks or [], labels, "clocks", "clock labelled")
        chosen_counters = _pick(counters or [], slugs, "counters", "counter called")
    locale = values["lang"] or content.locale or locales()[0]
    if locale not in LANGUAGES:  # the site's own language, since removed from the registry
        raise BadParameter(f"'lang' must be one of {', '.join(locales())}, not {locale!r}")
    return EmbedQuery(
        clocks=chosen_clocks,
        counters=chosen_counters,
        statements=values["statements"],
        theme=values["theme"],
        locale=locale,
        transparent=values["transparent"],
    )


def latest_statements(shot: Snapshot, count: int) -> list[DatedStatement]:
    """The newest `count` statements, whether featured or not."""
    pool = ([shot.featured] if shot.featured else []) + list(shot.latest)
    pool.sort(key=lambda s: s.item.published, reverse=True)
    return pool[:count]


def estimate_height(shot: Snapshot, query: EmbedQuery, width: int) -> int:
    """A fair first height for an iframe of the embed at `width` px, from what it shows (the
    script snippet fits it exactly afterwards; a plain iframe keeps this)."""
    per_line = max(12, (width - 40) // 7)  # characters per line at the embed's 14 px text

    def lines(text: str) -> int:
        return max(1, math.ceil(len(text) / per_line))

    height = 16 + 22  # padding, and the line naming the dashboard
    if query.pick_clocks(shot):
        height += 28
    for counter in query.pick_counters(shot):
        height += 24 + 20 * lines(counter.text)
    for statement in latest_statements(shot, query.statements):
        height += 8 + 20 * lines(f"{statement.date_text} {statement.item.title}")
    return height
