"""How a counter reads at an instant: in days (the caption as it always was), in years, months
and days, in weeks and days, or in working days; and its milestones. The snapshot makes one
CounterReading per counter; every view shows it."""

from __future__ import annotations

import dataclasses
import datetime as dt

from dashboard.core import milestones as marks
from dashboard.core import timecalc
from dashboard.core.captions import (
    counter_caption,
    counter_parts,
    date_line,
    milestone_text,
    milestone_today,
    plural,
    span_badge,
    span_parts,
)
from dashboard.core.runs import Record, RunReading, current_run, read_runs, record_of
from dashboard.i18n.languages import language

DAYS, YMD, WEEKS, WORKING_DAYS = "days", "ymd", "weeks", "working-days"
DISPLAYS = (DAYS, YMD, WEEKS, WORKING_DAYS)


@dataclasses.dataclass(frozen=True)
class MilestoneReading:
    kind: str  # "days" or "years"
    value: int
    date: dt.date  # in the counter's zone
    date_text: str  # "29 November 2020", in the snapshot's language
    text: str  # "1,000 days", "2 years"
    today_text: str  # "1,000 days today"

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.value}"


@dataclasses.dataclass(frozen=True)
class CounterReading:
    slug: str
    since: dt.date
    timezone: str
    days: int  # calendar days, whatever the display: the machine-readable count
    text: str  # the whole caption, as a sentence, in the counter's display
    number: str  # the caption in two parts, for templates that set the number apart:
    caption: str  # "693" and "days have passed since the Salisbury incident - note"
    event: str
    note: str
    next_change: dt.datetime
    # The caption without its note ("days have passed since the Salisbury incident"), for
    # views that set the note apart (the board).
    phrase: str = ""
    extra: dict = dataclasses.field(default_factory=dict, hash=False, compare=False)
    display: str = DAYS
    badge: str = ""  # a badge's message: "693 days", "1 year and 10 months"
    working_days: int | None = None  # in the working-days display
    milestones_today: tuple[MilestoneReading, ...] = ()
    past_milestones: tuple[MilestoneReading, ...] = ()  # the last few, oldest first
    next_milestones: tuple[MilestoneReading, ...] = ()  # the next few, soonest first
    # The earlier runs (oldest first), the current one, and the longest of them all.
    runs: tuple[RunReading, ...] = ()
    current: RunReading | None = None
    record: Record | None = None


def span_of(counter, today: dt.date) -> tuple[list[tuple[int, str]], int | None]:
    """The parts a counter reads in on `today` (zero parts left out), and its working days."""
    start, end = sorted((counter.since, today))
    if counter.display == YMD:
        years, months, days = timecalc.calendar_span(start, end)
        return _nonzero((years, "year"), (months, "month"), (days, "day")), None
    if counter.display == WEEKS:
        weeks, days = timecalc.weeks_and_days(timecalc.days_between(start, end))
        return _nonzero((weeks, "week"), (days, "day")), None
    if counter.display == WORKING_DAYS:
        count = timecalc.working_days_between(start, end, counter.calendar)
        return ([(count, "working_day")] if start != end else []), count
    raise ValueError(f"display {counter.display!r} is not one of {', '.join(DISPLAYS)}")


def _nonzero(*parts: tuple[int, str]) -> list[tuple[int, str]]:
    return [part for part in parts if part[0]]


def read_counter(at: dt.datetime, counter, locale: str) -> CounterReading:
    today = timecalc.local_date(at, counter.timezone)
    days = timecalc.days_between(counter.since, today)
    event, note = counter.text_in(locale)
    earlier = read_runs(counter.runs, locale)
    current = current_run(counter.since, days, locale)
    working, parts = None, None
    if counter.display != DAYS:
        try:
            parts, working = span_of(counter, today)
        except (timecalc.TimeError, ValueError):  # a row the schema would refuse: never go dark
            parts = None
    if parts is None:
        number, caption = counter_parts(days, event, note, locale)
        phrase = counter_parts(days, event, "", locale)[1]
        text = counter_caption(days, event, note, locale)
        words = language(locale)
        badge = plural(words.badge_forms(days < 0), abs(days), words.code)
    else:
        number, phrase = span_parts(parts, event, days < 0, locale)
        caption = f"{phrase} - {note}" if note else phrase
        text = f"{number} {caption}" if number else caption
        badge = span_badge(parts, days < 0, locale)
    return CounterReading(
        slug=counter.slug,
        since=counter.since,
        timezone=counter.timezone,
        days=days,
        text=text,
        number=number,
        caption=caption,
        event=event,
        note=note,
        next_change=timecalc.next_date_change(at, counter.timezone),
        phrase=phrase,
        extra=counter.extra,
        display=DAYS if parts is None else counter.display,
        badge=badge,
        working_days=None if working is None else (working if days >= 0 else -working),
        milestones_today=_shown(marks.on(counter, today), locale),
        past_milestones=_shown(marks.latest(counter, today), locale),
        next_milestones=_shown(marks.upcoming(counter, today), locale),
        runs=earlier,
        current=current,
        record=record_of(earlier, current, locale),
    )


def _shown(found: list[marks.Milestone], locale: str) -> tuple[MilestoneReading, ...]:
    return tuple(
        MilestoneReading(
            kind=m.kind,
            value=m.value,
            date=m.date,
            date_text=date_line(m.date, locale),
            text=milestone_text(m.kind, m.value, locale),
            today_text=milestone_today(m.kind, m.value, locale),
        )
        for m in found
    )
