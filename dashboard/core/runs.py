"""A counter's runs: the earlier ones (each ended by a reset) and the current one, from its
`since` to today, and the record among them. Lengths are calendar days (timecalc)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable

from dashboard.core import timecalc
from dashboard.core.captions import days_text, record_caption


@dataclasses.dataclass(frozen=True)
class RunDef:
    """An earlier run, as stored: from `start` to `end`, the day the reset began the next."""

    start: dt.date
    end: dt.date
    reason: str
    statement: str = ""  # the slug of the statement that explains it, or empty
    statement_title: str = ""  # its title, while readers can see it; else empty

    @property
    def days(self) -> int:
        return timecalc.days_between(self.start, self.end)


@dataclasses.dataclass(frozen=True)
class RunReading:
    """A run as a page shows it: its dates as DD.MM.YYYY and its length in words."""

    start: dt.date
    end: dt.date | None  # None: the current run, still going
    days: int
    reason: str
    statement: str
    statement_title: str
    start_text: str
    end_text: str
    days_text: str


@dataclasses.dataclass(frozen=True)
class Record:
    """The longest run: an earlier one, or the current one when it is longer than them all
    (a tie stays with the earlier run, which set it first)."""

    days: int
    start: dt.date
    end: dt.date | None
    current: bool
    text: str  # "record: 412 days"


def date_text(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def read_runs(runs: Iterable[RunDef], locale: str) -> tuple[RunReading, ...]:
    return tuple(
        RunReading(
            start=run.start,
            end=run.end,
            days=run.days,
            reason=run.reason,
            statement=run.statement,
            statement_title=run.statement_title,
            start_text=date_text(run.start),
            end_text=date_text(run.end),
            days_text=days_text(run.days, locale),
        )
        for run in runs
    )


def current_run(since: dt.date, days: int, locale: str) -> RunReading:
    """The run going on: `days` as the counter reads them (none yet while `since` is ahead)."""
    length = max(days, 0)
    return RunReading(
        start=since,
        end=None,
        days=length,
        reason="",
        statement="",
        statement_title="",
        start_text=date_text(since),
        end_text="",
        days_text=days_text(length, locale),
    )


def record_of(earlier: Iterable[RunReading], current: RunReading, locale: str) -> Record:
    best = None
    for run in earlier:
        if best is None or run.days > best.days:
            best = run
    holder = current if best is None or current.days > best.days else best
    return Record(
        days=holder.days,
        start=holder.start,
        end=holder.end,
        current=holder is current,
        text=record_caption(holder.days, locale),
    )
