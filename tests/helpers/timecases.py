"""Building blocks for the time tests: instants and dates from text, a site to snapshot, and
the caption rule written out by hand."""

from __future__ import annotations

import datetime as dt

from dashboard.core.snapshot import ClockDef, CounterDef, SiteContent, snapshot

UTC = dt.UTC
MINUTE = dt.timedelta(minutes=1)
SECOND = dt.timedelta(seconds=1)
MICROSECOND = dt.timedelta(microseconds=1)


def utc(text: str) -> dt.datetime:
    """'2020-01-26T17:58:00Z' as an aware UTC datetime, without going through parse_instant."""
    at = dt.datetime.fromisoformat(text)
    assert at.utcoffset() == dt.timedelta(0)
    return at


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def site(zone="Europe/London", clocks=(), counters=(), locale="en") -> SiteContent:
    return SiteContent(
        revision=1,
        title="Test site",
        timezone=zone,
        contact="",
        locale=locale,
        clocks=tuple(clocks),
        counters=tuple(counters),
    )


def counter(zone: str, since: str | dt.date, event="the event", note="") -> CounterDef:
    since = day(since) if isinstance(since, str) else since
    return CounterDef(slug="c", since=since, timezone=zone, event=event, note=note)


def clock_reading(at: dt.datetime, zone: str, hour12=False):
    (reading,) = snapshot(at, site(clocks=[ClockDef("Here", zone, hour12)])).clocks
    return reading


def caption_by_hand(days: int, event: str, note: str = "") -> str:
    """The caption rule written out independently: English plurals, Python's own ',' grouping."""
    n = abs(days)
    if days >= 0:
        words = "day has passed since" if n == 1 else "days have passed since"
    else:
        words = "day to go until" if n == 1 else "days to go until"
    text = f"{n:,} {words} {event}"
    return f"{text} - {note}" if note else text


# The reference capture's instant and site, as snapshot() takes them.
REFERENCE = utc("2020-01-26T17:58:00Z")
NOTE = "no credible information or response from the British authorities"
REFERENCE_SITE = site(
    "Europe/London",
    clocks=[ClockDef("Moscow", "Europe/Moscow"), ClockDef("London", "Europe/London")],
    counters=[
        CounterDef("salisbury", day("2018-03-04"), "Europe/London", "the Salisbury incident", NOTE),
        CounterDef("glushkov", day("2018-03-12"), "Europe/London", "Glushkov's death", NOTE),
    ],
)
