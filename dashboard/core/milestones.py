"""A counter's milestones: days it has counted (`milestones`, multiples of `every`) and, with
`anniversaries`, each full year since its date. Dates come from timecalc: day N is `since` + N
calendar days, year N is `since` + N years (29 February's is 28 February in a common year)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from dashboard.core import timecalc

DAYS, YEARS = "days", "years"


@dataclasses.dataclass(frozen=True, order=True)
class Milestone:
    date: dt.date  # the counter's own local date on which it is reached
    kind: str  # DAYS or YEARS
    value: int

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.value}"


def _day_values(counter, first: int, last: int):
    """The day counts from `first` to `last` that are milestones, in order."""
    values = {v for v in counter.milestones if first <= v <= last}
    if counter.every:
        start = max(1, -(-first // counter.every))
        values.update(k * counter.every for k in range(start, last // counter.every + 1))
    return sorted(values)


def between(counter, start: dt.date, end: dt.date) -> list[Milestone]:
    """Every milestone of `counter` whose date falls from `start` to `end`, both included, by
    date. A countdown has none until its date has come. Mind the span: with `every`, each
    multiple in it is one."""
    since = counter.since
    first = max(1, timecalc.days_between(since, start))
    last = timecalc.days_between(since, end)
    found = [
        Milestone(timecalc.days_after(since, v), DAYS, v) for v in _day_values(counter, first, last)
    ]
    if counter.anniversaries and last >= 1:
        years = range(
            max(1, timecalc.whole_years(since, start)), timecalc.whole_years(since, end) + 1
        )
        found += [
            Milestone(day, YEARS, n)
            for n in years
            if start <= (day := timecalc.add_years(since, n)) <= end
        ]
    return sorted(found)


def upcoming(counter, today: dt.date, count: int = 3) -> list[Milestone]:
    """The next `count` milestones after `today`: each kind's next ones, merged."""
    since = counter.since
    lowest = max(1, timecalc.days_between(since, today) + 1)
    days = list(counter.milestones)
    if counter.every:
        first = max(1, -(-lowest // counter.every))  # the first multiple not yet reached
        days += [k * counter.every for k in range(first, first + count)]
    found = [
        Milestone(timecalc.days_after(since, v), DAYS, v)
        for v in sorted(set(v for v in days if v >= lowest))[:count]
        if timecalc.year_problem(timecalc.days_after(since, v)) is None
    ]
    if counter.anniversaries:
        done = timecalc.whole_years(since, today) if today >= since else 0
        found += [
            Milestone(timecalc.add_years(since, n), YEARS, n)
            for n in range(done + 1, done + 1 + count)
        ]
    return sorted(found)[:count]


def latest(counter, today: dt.date, count: int = 3) -> list[Milestone]:
    """The last `count` milestones reached before `today`, newest last."""
    if today <= counter.since:
        return []
    reached = timecalc.days_between(counter.since, today) - 1
    days = [v for v in counter.milestones if 1 <= v <= reached]
    if counter.every:
        top = reached // counter.every
        days += [k * counter.every for k in range(max(1, top - count + 1), top + 1)]
    found = [
        Milestone(timecalc.days_after(counter.since, v), DAYS, v)
        for v in sorted(set(days))[-count:]
    ]
    if counter.anniversaries:
        done = timecalc.whole_years(counter.since, timecalc.days_after(today, -1))
        found += [
            Milestone(timecalc.add_years(counter.since, n), YEARS, n)
            for n in range(max(1, done - count + 1), done + 1)
        ]
    return sorted(found)[-count:]


def on(counter, today: dt.date) -> list[Milestone]:
    """The milestones reached on `today` itself."""
    return between(counter, today, today)
