"""The time rules: counters count calendar dates, clocks come from zoneinfo, dates change on time.

Every expected value here is worked out by hand from the tz database (the comments say how),
never copied from what the code returns. No test depends on today's date.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import pytz
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.core import timecalc
from dashboard.core.captions import counter_caption
from dashboard.core.snapshot import ClockDef, CounterDef, SiteContent, snapshot
from tests.helpers import daycount

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
        featured=None,
        latest=(),
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


# --- The reference capture -------------------------------------------------------------------

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


def test_reference_instant():
    # Moscow is +03 all year since 2014, London is on GMT in January.
    # 2018-03-04 .. 2019-03-04 is 365 days; 2019-03-04 .. 2020-01-26 is
    # 27+30+31+30+31+31+30+31+30+31+26 = 328; 693 in all, and 8 fewer since 2018-03-12.
    shot = snapshot(REFERENCE, REFERENCE_SITE)
    assert shot.date.text == "26 January 2020"
    assert shot.date.iso == "2020-01-26"
    assert [(c.label, c.time, c.utc_offset) for c in shot.clocks] == [
        ("Moscow", "20:58", "+03:00"),
        ("London", "17:58", "+00:00"),
    ]
    assert shot.clocks[0].local_iso == "2020-01-26T20:58:00+03:00"
    assert [(c.slug, c.days) for c in shot.counters] == [("salisbury", 693), ("glushkov", 685)]
    assert shot.counters[0].text == f"693 days have passed since the Salisbury incident - {NOTE}"
    assert shot.counters[1].text == f"685 days have passed since Glushkov's death - {NOTE}"
    # Clocks tick every minute; London's next date is at midnight GMT.
    assert shot.minute == REFERENCE
    assert shot.next_change == utc("2020-01-26T17:59:00Z")
    assert shot.date.next_change == utc("2020-01-27T00:00:00Z")
    assert shot.counters_next_change() == utc("2020-01-27T00:00:00Z")


# --- Counters count calendar dates in their own zone -----------------------------------------


@pytest.mark.parametrize(
    ("at", "zone", "since", "days"),
    [
        # 47.5 hours after local midnight of 30 March, but London lost an hour: it is 1 April.
        ("2019-03-31T23:30:00Z", "Europe/London", "2019-03-30", 2),
        # 48.5 hours after local midnight of 26 October, but the 27th had 25 hours: still the 27th.
        ("2019-10-27T23:30:00Z", "Europe/London", "2019-10-26", 1),
        # 18:15 UTC is already midnight in Kathmandu (+05:45), while UTC is still on the 26th.
        ("2020-01-26T18:15:00Z", "Asia/Kathmandu", "2020-01-26", 1),
        # The same instant is still the 26th in New York (13:15 EST): since the 27th is 1 to go.
        ("2020-01-26T18:15:00Z", "America/New_York", "2020-01-27", -1),
        # Kiritimati (+14) is a day ahead of UTC's date; Honolulu (-10) is not.
        ("2020-01-26T10:00:00Z", "Pacific/Kiritimati", "2020-01-26", 1),
        ("2020-01-26T10:00:00Z", "Pacific/Honolulu", "2020-01-26", 0),
        # Far-off dates keep their sign and count every calendar day.
        ("2020-01-26T17:58:00Z", "Europe/London", "2030-01-26", -3653),
        # 120 x 365 days, 29 leap days (1904..2016; 1900 was not one), then 25 more.
        ("2020-01-26T17:58:00Z", "Europe/London", "1900-01-01", 43854),
    ],
)
def test_counter_days_are_calendar_dates_in_the_counters_zone(at, zone, since, days):
    assert timecalc.days_since(utc(at), zone, day(since)) == days
    (reading,) = snapshot(utc(at), site(counters=[counter(zone, since)])).counters
    assert reading.days == days
    assert reading.text == caption_by_hand(days, "the event")


# Each case: the zone, and the UTC instant at which its local date becomes `date` (00:00 local).
MIDNIGHTS = [
    ("Europe/London", "2020-01-27T00:00:00Z", "2020-01-27"),  # GMT: midnight is on the hour
    ("Europe/London", "2020-07-01T23:00:00Z", "2020-07-02"),  # BST, +01:00
    ("America/New_York", "2020-01-27T05:00:00Z", "2020-01-27"),  # EST, -05:00
    ("Asia/Tokyo", "2020-01-26T15:00:00Z", "2020-01-27"),  # +09:00
    ("Asia/Kathmandu", "2020-01-26T18:15:00Z", "2020-01-27"),  # +05:45: not on a UTC hour
    ("Asia/Kolkata", "2020-01-26T18:30:00Z", "2020-01-27"),  # +05:30
    ("Australia/Lord_Howe", "2020-06-30T13:30:00Z", "2020-07-01"),  # winter, +10:30
    ("Australia/Lord_Howe", "2020-01-26T13:00:00Z", "2020-01-27"),  # summer, +11:00
    ("Pacific/Chatham", "2020-06-30T11:15:00Z", "2020-07-01"),  # winter, +12:45
    ("Pacific/Chatham", "2020-01-26T10:15:00Z", "2020-01-27"),  # summer, +13:45
    ("America/St_Johns", "2020-01-27T03:30:00Z", "2020-01-27"),  # -03:30
    ("Pacific/Kiritimati", "2020-01-26T10:00:00Z", "2020-01-27"),  # +14:00
    ("Europe/Moscow", "2020-01-26T21:00:00Z", "2020-01-27"),  # +03:00
]


@pytest.mark.parametrize(("zone", "midnight", "date"), MIDNIGHTS)
@pytest.mark.parametrize("before", [SECOND, MICROSECOND], ids=["23:59:59", "23:59:59.999999"])
def test_counter_turns_over_exactly_at_local_midnight(zone, midnight, date, before):
    midnight, date = utc(midnight), day(date)
    # Since the new date itself: one to go until its midnight, zero from then on.
    assert timecalc.days_since(midnight - before, zone, date) == -1
    assert timecalc.days_since(midnight, zone, date) == 0
    assert timecalc.next_date_change(midnight - before, zone) == midnight
    assert timecalc.next_date_change(midnight - dt.timedelta(hours=5), zone) == midnight
    assert timecalc.local_midnight(date, zone) == midnight
    (reading,) = snapshot(midnight - before, site(counters=[counter(zone, date)])).counters
    assert (reading.days, reading.text) == (-1, "1 day to go until the event")
    assert reading.next_change == midnight
    (reading,) = snapshot(midnight, site(counters=[counter(zone, date)])).counters
    assert (reading.days, reading.text) == (0, "0 days have passed since the event")


@pytest.mark.parametrize(
    ("at", "since", "days"),
    [
        ("2016-02-29T12:00:00Z", "2016-02-29", 0),
        ("2017-02-28T12:00:00Z", "2016-02-29", 365),  # no 29 February in 2017
        ("2017-03-01T12:00:00Z", "2016-02-29", 366),
        ("2020-02-28T12:00:00Z", "2016-02-29", 1460),  # 4 x 365: 2020's leap day is still ahead
        ("2020-02-29T12:00:00Z", "2016-02-29", 1461),
        ("2020-03-01T12:00:00Z", "2016-02-29", 1462),
        ("2020-02-29T12:00:00Z", "2024-02-29", -1461),  # counting down across 2024's leap day
        ("2000-03-01T12:00:00Z", "1999-02-28", 367),  # 2000 is a leap year (divisible by 400)
        ("2100-03-01T12:00:00Z", "2100-02-28", 1),  # 2100 is not
        # Local midnight of 29 February 2020 in London (GMT) is 00:00 UTC.
        ("2020-02-28T23:59:59Z", "2016-02-29", 1460),
        ("2020-02-29T00:00:00Z", "2016-02-29", 1461),
    ],
)
def test_leap_days(at, since, days):
    assert timecalc.days_since(utc(at), "Europe/London", day(since)) == days
    (reading,) = snapshot(utc(at), site(counters=[counter("Europe/London", since)])).counters
    assert reading.text == caption_by_hand(days, "the event")


def test_leap_day_caption_has_thousands_separator():
    shot = snapshot(utc("2020-02-29T12:00:00Z"), site(counters=[counter("UTC", "2016-02-29")]))
    assert shot.counters[0].text == "1,461 days have passed since the event"
    assert snapshot(utc("2016-02-29T12:00:00Z"), site()).date.text == "29 February 2016"


# --- Clocks: the UTC instant converted with zoneinfo, on both sides of each transition --------


@pytest.mark.parametrize(
    ("at", "zone", "local_time"),
    [
        # London springs forward at 01:00 UTC on 31 March 2019: 00:59 GMT, then 02:00 BST.
        ("2019-03-31T00:59:00Z", "Europe/London", "2019-03-31T00:59+00:00"),
        ("2019-03-31T01:00:00Z", "Europe/London", "2019-03-31T02:00+01:00"),
        # ... and falls back at 01:00 UTC on 27 October 2019: 01:00-01:59 is shown twice.
        ("2019-10-27T00:30:00Z", "Europe/London", "2019-10-27T01:30+01:00"),
        ("2019-10-27T00:59:00Z", "Europe/London", "2019-10-27T01:59+01:00"),
        ("2019-10-27T01:00:00Z", "Europe/London", "2019-10-27T01:00+00:00"),
        ("2019-10-27T01:30:00Z", "Europe/London", "2019-10-27T01:30+00:00"),
        # New York: 02:00 EST becomes 03:00 EDT at 07:00 UTC; 02:00 EDT becomes 01:00 EST at 06:00.
        ("2021-03-14T06:59:00Z", "America/New_York", "2021-03-14T01:59-05:00"),
        ("2021-03-14T07:00:00Z", "America/New_York", "2021-03-14T03:00-04:00"),
        ("2021-11-07T05:59:00Z", "America/New_York", "2021-11-07T01:59-04:00"),
        ("2021-11-07T06:00:00Z", "America/New_York", "2021-11-07T01:00-05:00"),
        # Lord Howe moves by 30 minutes, at 02:00 local: back on 5 April, forward on 4 October 2020.
        ("2020-04-04T14:59:00Z", "Australia/Lord_Howe", "2020-04-05T01:59+11:00"),
        ("2020-04-04T15:00:00Z", "Australia/Lord_Howe", "2020-04-05T01:30+10:30"),
        ("2020-10-03T15:29:00Z", "Australia/Lord_Howe", "2020-10-04T01:59+10:30"),
        ("2020-10-03T15:30:00Z", "Australia/Lord_Howe", "2020-10-04T02:30+11:00"),
        # Chatham changes at 02:45 standard time: back on 5 April, forward on 27 September 2020.
        ("2020-04-04T13:59:00Z", "Pacific/Chatham", "2020-04-05T03:44+13:45"),
        ("2020-04-04T14:00:00Z", "Pacific/Chatham", "2020-04-05T02:45+12:45"),
        ("2020-09-26T13:59:00Z", "Pacific/Chatham", "2020-09-27T02:44+12:45"),
        ("2020-09-26T14:00:00Z", "Pacific/Chatham", "2020-09-27T03:45+13:45"),
        # Kathmandu is +05:45 all year.
        ("2020-01-26T17:58:00Z", "Asia/Kathmandu", "2020-01-26T23:43+05:45"),
        ("2020-07-01T00:00:00Z", "Asia/Kathmandu", "2020-07-01T05:45+05:45"),
        # Moscow: 27 March 2011 went to +04 for good (no fall back on 30 October 2011) ...
        ("2011-03-26T22:59:00Z", "Europe/Moscow", "2011-03-27T01:59+03:00"),
        ("2011-03-26T23:00:00Z", "Europe/Moscow", "2011-03-27T03:00+04:00"),
        ("2011-10-29T23:00:00Z", "Europe/Moscow", "2011-10-30T03:00+04:00"),
        ("2012-01-15T12:00:00Z", "Europe/Moscow", "2012-01-15T16:00+04:00"),
        # ... and returned to +03 at 02:00 local on 26 October 2014.
        ("2014-10-25T21:59:00Z", "Europe/Moscow", "2014-10-26T01:59+04:00"),
        ("2014-10-25T22:00:00Z", "Europe/Moscow", "2014-10-26T01:00+03:00"),
        # São Paulo 2018: midnight is skipped, 23:59 -03 is followed by 01:00 -02.
        ("2018-11-04T02:59:00Z", "America/Sao_Paulo", "2018-11-03T23:59-03:00"),
        ("2018-11-04T03:00:00Z", "America/Sao_Paulo", "2018-11-04T01:00-02:00"),
        # São Paulo 2019: at midnight the clock goes back to 23:00 on the 16th.
        ("2019-02-17T01:59:00Z", "America/Sao_Paulo", "2019-02-16T23:59-02:00"),
        ("2019-02-17T02:00:00Z", "America/Sao_Paulo", "2019-02-16T23:00-03:00"),
        # Samoa skipped 30 December 2011: from 23:59 on the 29th (-10) to 00:00 on the 31st (+14).
        ("2011-12-30T09:59:00Z", "Pacific/Apia", "2011-12-29T23:59-10:00"),
        ("2011-12-30T10:00:00Z", "Pacific/Apia", "2011-12-31T00:00+14:00"),
        # St John's fell back at 00:01 until 2010: from 00:00 on the 29th to 23:01 on the 28th.
        ("2006-10-29T02:30:00Z", "America/St_Johns", "2006-10-29T00:00-02:30"),
        ("2006-10-29T02:31:00Z", "America/St_Johns", "2006-10-28T23:01-03:30"),
    ],
)
def test_clock_on_both_sides_of_transitions(at, zone, local_time):
    reading = clock_reading(utc(at), zone)
    assert reading.time == local_time[11:16]
    assert reading.utc_offset == local_time[16:]
    assert reading.local_iso == f"{local_time[:16]}:00{local_time[16:]}"
    # The date line reads the same local date.
    assert snapshot(utc(at), site(zone)).date.iso == local_time[:10]


@pytest.mark.parametrize(
    ("at", "zone", "text"),
    [
        ("2020-01-26T17:58:00Z", "Europe/London", "5:58 PM"),
        ("2020-01-26T17:58:00Z", "America/New_York", "12:58 PM"),  # noon is PM
        ("2020-01-26T15:30:00Z", "Asia/Tokyo", "12:30 AM"),  # midnight is 12 AM
        ("2020-01-26T17:58:00Z", "Asia/Kathmandu", "11:43 PM"),
        ("2020-01-26T05:15:00Z", "Asia/Kolkata", "10:45 AM"),
    ],
)
def test_twelve_hour_clock(at, zone, text):
    assert clock_reading(utc(at), zone, hour12=True).time == text


def test_clocks_never_use_pytz_zones(monkeypatch):
    # tzinfo=pytz.timezone("Europe/Moscow") would give LMT (+02:30); only its names are used.
    def refuse(name):
        raise AssertionError(f"pytz.timezone({name!r}) called")

    monkeypatch.setattr(pytz, "timezone", refuse)
    timecalc.zone.cache_clear()
    shot = snapshot(REFERENCE, REFERENCE_SITE)
    assert [c.utc_offset for c in shot.clocks] == ["+03:00", "+00:00"]


# --- When the date changes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "zone", "change", "new_date"),
    [
        ("2019-03-30T12:00:00Z", "Europe/London", "2019-03-31T00:00:00Z", "2019-03-31"),  # GMT
        # The transition at 01:00 lies ahead: the next midnight is on BST, at 23:00 UTC.
        ("2019-03-31T00:30:00Z", "Europe/London", "2019-03-31T23:00:00Z", "2019-04-01"),
        ("2019-03-31T12:00:00Z", "Europe/London", "2019-03-31T23:00:00Z", "2019-04-01"),
        ("2019-10-26T12:00:00Z", "Europe/London", "2019-10-26T23:00:00Z", "2019-10-27"),  # BST
        # The 27th has 25 hours: it ends at midnight GMT.
        ("2019-10-27T00:30:00Z", "Europe/London", "2019-10-28T00:00:00Z", "2019-10-28"),
        ("2021-03-14T06:00:00Z", "America/New_York", "2021-03-15T04:00:00Z", "2021-03-15"),
        ("2021-11-07T05:00:00Z", "America/New_York", "2021-11-08T05:00:00Z", "2021-11-08"),
        ("2020-01-26T17:58:00Z", "Asia/Kathmandu", "2020-01-26T18:15:00Z", "2020-01-27"),
        # After Lord Howe and Chatham fall back, the next midnight is on standard time.
        ("2020-04-04T14:00:00Z", "Australia/Lord_Howe", "2020-04-05T13:30:00Z", "2020-04-06"),
        ("2020-04-04T13:00:00Z", "Pacific/Chatham", "2020-04-05T11:15:00Z", "2020-04-06"),
        # Samoa: from the evening of the 29th (20:00 -10), the next date is the 31st.
        ("2011-12-30T06:00:00Z", "Pacific/Apia", "2011-12-30T10:00:00Z", "2011-12-31"),
        ("2011-12-30T10:00:00Z", "Pacific/Apia", "2011-12-31T10:00:00Z", "2012-01-01"),  # +14
        # Moscow, the day before and after each change: midnight on the old, then new, offset.
        ("2011-03-26T12:00:00Z", "Europe/Moscow", "2011-03-26T21:00:00Z", "2011-03-27"),
        ("2011-03-27T12:00:00Z", "Europe/Moscow", "2011-03-27T20:00:00Z", "2011-03-28"),
        ("2014-10-25T12:00:00Z", "Europe/Moscow", "2014-10-25T20:00:00Z", "2014-10-26"),
        ("2014-10-26T12:00:00Z", "Europe/Moscow", "2014-10-26T21:00:00Z", "2014-10-27"),
        # São Paulo, 4 November 2018: midnight is in the gap, the 4th begins at 01:00 -02.
        ("2018-11-03T15:00:00Z", "America/Sao_Paulo", "2018-11-04T03:00:00Z", "2018-11-04"),
        ("2018-11-04T03:00:00Z", "America/Sao_Paulo", "2018-11-05T02:00:00Z", "2018-11-05"),
        # São Paulo, 17 February 2019: the 16th has 25 hours and ends at midnight -03.
        ("2019-02-16T12:00:00Z", "America/Sao_Paulo", "2019-02-17T03:00:00Z", "2019-02-17"),
        ("2019-02-17T01:30:00Z", "America/Sao_Paulo", "2019-02-17T03:00:00Z", "2019-02-17"),
        ("2019-02-17T02:30:00Z", "America/Sao_Paulo", "2019-02-17T03:00:00Z", "2019-02-17"),
        # St John's, 29 October 2006: midnight NDT comes first, then at 00:01 the clock goes back
        # to 23:01 on the 28th, and the 29th begins again at midnight NST.
        ("2006-10-29T01:00:00Z", "America/St_Johns", "2006-10-29T02:30:00Z", "2006-10-29"),
        ("2006-10-29T02:30:30Z", "America/St_Johns", "2006-10-29T02:31:00Z", "2006-10-28"),
        ("2006-10-29T02:31:00Z", "America/St_Johns", "2006-10-29T03:30:00Z", "2006-10-29"),
        # Moncton did the same on Atlantic time: 00:00 ADT, then 23:01 AST a minute later.
        ("2006-10-29T03:00:00Z", "America/Moncton", "2006-10-29T03:01:00Z", "2006-10-28"),
        # Exactly at a change, the next one is a day later.
        ("2020-01-27T00:00:00Z", "Europe/London", "2020-01-28T00:00:00Z", "2020-01-28"),
    ],
)
def test_next_date_change(at, zone, change, new_date):
    at, change = utc(at), utc(change)
    today = timecalc.local_date(at, zone)
    assert timecalc.next_date_change(at, zone) == change
    assert timecalc.local_date(change, zone) == day(new_date) != today
    assert timecalc.local_date(change - MINUTE, zone) == today
    shot = snapshot(at, site(zone, counters=[counter(zone, "2000-01-01")]))
    assert shot.date.next_change == shot.counters[0].next_change == change


@pytest.mark.parametrize(
    ("zone", "skip", "last_day", "first_day"),
    [
        # Samoa went from -10 to +14 at the end of 29 December 2011.
        ("Pacific/Apia", "2011-12-30T10:00:00Z", "2011-12-29", "2011-12-31"),
        # The Line Islands went from -10 to +14 at the end of 30 December 1994.
        ("Pacific/Kiritimati", "1994-12-31T10:00:00Z", "1994-12-30", "1995-01-01"),
        # Kwajalein went from -12 to +12 at the end of 20 August 1993.
        ("Pacific/Kwajalein", "1993-08-21T12:00:00Z", "1993-08-20", "1993-08-22"),
    ],
)
def test_a_skipped_day_moves_counters_by_two(zone, skip, last_day, first_day):
    skip = utc(skip)
    since = day(last_day) - dt.timedelta(days=28)
    assert timecalc.local_date(skip - SECOND, zone) == day(last_day)
    assert timecalc.local_date(skip, zone) == day(first_day)
    assert timecalc.days_since(skip - SECOND, zone, since) == 28
    assert timecalc.days_since(skip, zone, since) == 30
    assert timecalc.next_date_change(skip - dt.timedelta(hours=4), zone) == skip
    assert timecalc.local_midnight(day(first_day), zone) == skip


@pytest.mark.parametrize(
    ("date", "zone", "start", "local_clock"),
    [
        ("2018-11-03", "America/Sao_Paulo", "2018-11-03T03:00:00Z", "00:00"),
        ("2018-11-04", "America/Sao_Paulo", "2018-11-04T03:00:00Z", "01:00"),  # midnight skipped
        ("2018-11-05", "America/Sao_Paulo", "2018-11-05T02:00:00Z", "00:00"),
        ("2019-02-16", "America/Sao_Paulo", "2019-02-16T02:00:00Z", "00:00"),  # 25 hours long
        ("2019-02-17", "America/Sao_Paulo", "2019-02-17T03:00:00Z", "00:00"),
        ("2019-03-31", "Europe/London", "2019-03-31T00:00:00Z", "00:00"),
        ("2019-04-01", "Europe/London", "2019-03-31T23:00:00Z", "00:00"),
        ("2011-12-29", "Pacific/Apia", "2011-12-29T10:00:00Z", "00:00"),
        ("2011-12-31", "Pacific/Apia", "2011-12-30T10:00:00Z", "00:00"),
        ("2020-01-27", "Asia/Kathmandu", "2020-01-26T18:15:00Z", "00:00"),
        # The 29th began twice in St John's; it starts at the first midnight.
        ("2006-10-29", "America/St_Johns", "2006-10-29T02:30:00Z", "00:00"),
    ],
)
def test_local_midnight(date, zone, start, local_clock):
    assert timecalc.local_midnight(day(date), zone) == utc(start)
    assert clock_reading(utc(start), zone).time == local_clock
    assert timecalc.local_date(utc(start) - SECOND, zone) < day(date)


@pytest.mark.parametrize(
    ("time", "clocks", "counter_zones", "expected"),
    [
        # With clocks, the page changes at the next minute boundary, even from :00.000.
        ("17:58:00", True, "", "2020-01-26T17:59:00Z"),
        ("17:58:59.999999", True, "", "2020-01-26T17:59:00Z"),
        ("23:59:30", True, "Europe/London", "2020-01-27T00:00:00Z"),
        # Without clocks, the earliest date change of the site (London) and its counters.
        ("17:58:00", False, "", "2020-01-27T00:00:00Z"),
        ("17:58:00", False, "Europe/London", "2020-01-27T00:00:00Z"),
        ("17:58:00", False, "Europe/London Asia/Kathmandu", "2020-01-26T18:15:00Z"),
        ("17:58:00", False, "Asia/Tokyo", "2020-01-27T00:00:00Z"),  # Tokyo's was at 15:00
    ],
)
def test_snapshot_next_change(time, clocks, counter_zones, expected):
    content = site(
        "Europe/London",
        clocks=[ClockDef("London", "Europe/London")] if clocks else [],
        counters=[counter(zone, "2018-03-04") for zone in counter_zones.split()],
    )
    assert snapshot(utc(f"2020-01-26T{time}Z"), content).next_change == utc(expected)


@pytest.mark.parametrize(
    ("at", "zone", "text", "iso"),
    [
        ("2020-01-26T17:58:00Z", "Europe/London", "26 January 2020", "2020-01-26"),
        ("2020-01-26T17:58:00Z", "Pacific/Kiritimati", "27 January 2020", "2020-01-27"),  # 07:58
        ("2020-01-26T17:58:00Z", "America/Los_Angeles", "26 January 2020", "2020-01-26"),  # 09:58
        ("2020-01-26T17:58:00Z", "Asia/Kathmandu", "26 January 2020", "2020-01-26"),  # 23:43
        ("2020-01-26T18:15:00Z", "Asia/Kathmandu", "27 January 2020", "2020-01-27"),  # 00:00
        ("2011-12-30T10:00:00Z", "Pacific/Apia", "31 December 2011", "2011-12-31"),
    ],
)
def test_date_line_is_the_sites_local_date(at, zone, text, iso):
    line = snapshot(utc(at), site(zone)).date
    assert (line.text, line.iso, line.timezone) == (text, iso, zone)


# --- Captions --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "note", "text"),
    [
        (1, "", "1 day has passed since X"),
        (2, "", "2 days have passed since X"),
        (0, "", "0 days have passed since X"),
        (21, "", "21 days have passed since X"),  # English: only exactly 1 is singular
        (1234, "", "1,234 days have passed since X"),
        (1234567, "", "1,234,567 days have passed since X"),
        (-1, "", "1 day to go until X"),
        (-2, "", "2 days to go until X"),
        (-1234, "", "1,234 days to go until X"),
        (693, "a note", "693 days have passed since X - a note"),
        (1, "a note", "1 day has passed since X - a note"),
        (-1, "a note", "1 day to go until X - a note"),
        (-1000, "a note", "1,000 days to go until X - a note"),
    ],
)
def test_captions(days, note, text):
    assert counter_caption(days, "X", note, "en") == text
    assert caption_by_hand(days, "X", note) == text  # keeps the property test's oracle honest


# --- Parsing instants and naming zones -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-01-26T17:58:00Z", "2020-01-26T17:58:00Z"),
        ("2020-01-26t17:58:00z", "2020-01-26T17:58:00Z"),
        ("2020-01-26T20:58:00+03:00", "2020-01-26T17:58:00Z"),
        ("2020-01-26T12:58:00-05:00", "2020-01-26T17:58:00Z"),
        ("2020-01-26T23:43:00+05:45", "2020-01-26T17:58:00Z"),
        ("2020-01-27T00:58:00+07:00", "2020-01-26T17:58:00Z"),  # local date differs from UTC's
        ("  2020-01-26T17:58:00Z\n", "2020-01-26T17:58:00Z"),
    ],
)
def test_parse_instant_accepts_rfc3339(text, expected):
    parsed = timecalc.parse_instant(text)
    assert parsed == utc(expected)
    assert parsed.utcoffset() == dt.timedelta(0)
    assert timecalc.format_instant(parsed) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("2020-01-26T17:58:00", "no UTC offset"),  # naive: which zone's 17:58?
        ("2020-01-26 17:58", "no UTC offset"),
        ("2020-01-26", "not an RFC 3339 date-time"),  # a date is not an instant
        ("garbage", "not an RFC 3339 date-time"),
        ("", "not an RFC 3339 date-time"),
        ("26/01/2020 17:58 UTC", "not a valid date-time"),
        ("2020-13-01T00:00:00Z", "not a valid date-time"),
        ("2020-02-30T00:00:00Z", "not a valid date-time"),
        ("2020-01-26T17:58:00+25:00", "not a valid date-time"),
    ],
)
def test_parse_instant_rejects_with_a_reason(text, problem):
    with pytest.raises(timecalc.TimeError) as caught:
        timecalc.parse_instant(text)
    assert problem in str(caught.value)
    assert repr(text) in str(caught.value)


def test_naive_datetimes_are_refused_everywhere():
    naive = dt.datetime(2020, 1, 26, 17, 58)
    for call in (
        lambda: timecalc.days_since(naive, "Europe/London", day("2018-03-04")),
        lambda: timecalc.next_date_change(naive, "Europe/London"),
        lambda: snapshot(naive, REFERENCE_SITE),
    ):
        with pytest.raises(timecalc.TimeError, match="no UTC offset"):
            call()


@pytest.mark.parametrize(
    "name",
    ["Mars/Olympus_Mons", "posixrules", "localtime", "Europe/london", "", "../../etc/passwd"],
)
def test_unknown_zone_is_named_in_the_error(name):
    assert not timecalc.is_known_zone(name)
    message = f"{name!r} is not a known IANA time zone"
    with pytest.raises(timecalc.TimeError) as caught:
        timecalc.zone(name)
    assert message in str(caught.value)
    for content in (
        site(name),
        site(clocks=[ClockDef("Nowhere", name)]),
        site(counters=[counter(name, "2018-03-04")]),
    ):
        with pytest.raises(timecalc.TimeError) as caught:
            snapshot(REFERENCE, content)
        assert message in str(caught.value)


def test_minute_helpers():
    at = utc("2020-01-26T17:58:42.123456Z")
    assert timecalc.floor_minute(at) == REFERENCE
    assert timecalc.next_minute(at) == utc("2020-01-26T17:59:00Z")
    assert timecalc.next_minute(REFERENCE) == utc("2020-01-26T17:59:00Z")  # strictly after
    moscow = at.astimezone(ZoneInfo("Europe/Moscow"))
    assert timecalc.format_instant(moscow) == "2020-01-26T17:58:42Z"


# --- Properties: random instants in awkward zones, checked against zoneinfo directly ----------
# Expected days come from tests/helpers/daycount.py (offsets and integer day numbers), never
# from timecalc or its formula; first, that oracle against dates worked out by hand.


@pytest.mark.parametrize(
    ("date", "number"),
    [
        ("1970-01-01", 0),
        ("1969-12-31", -1),
        ("2000-01-01", 10957),  # 30 years of 365 days and 7 leap days (72 ... 96)
        ("2000-03-01", 11017),  # 2000 is a leap year: 31 + 29 days later
        ("1900-03-01", -25508),  # 1900 is not leap: 70 * 365 + 17 back to 1 March 1970
        ("2018-03-04", 17594),
        ("2020-01-26", 18287),  # the reference capture: 693 days after Salisbury
    ],
)
def test_the_day_count_oracle(date, number):
    assert daycount.day_number(day(date)) == number
    assert daycount.day_number(day(date)) == day(date).toordinal() - dt.date(1970, 1, 1).toordinal()


@pytest.mark.parametrize(
    ("at", "zone", "date"),
    [
        ("2020-01-26T18:14:59Z", "Asia/Kathmandu", "2020-01-26"),  # 23:59:59 at +05:45
        ("2020-01-26T18:15:00Z", "Asia/Kathmandu", "2020-01-27"),
        ("2020-01-27T03:29:59Z", "America/St_Johns", "2020-01-26"),  # 23:59:59 at -03:30
        ("2011-12-30T09:59:59Z", "Pacific/Apia", "2011-12-29"),  # 23:59:59 at -10:00
        ("2011-12-30T10:00:00Z", "Pacific/Apia", "2011-12-31"),  # 00:00 at +14:00: 30th skipped
    ],
)
def test_the_local_date_oracle(at, zone, date):
    assert daycount.local_date(utc(at), zone) == day(date)


ZONES = [
    "UTC",
    "Europe/London",
    "Europe/Dublin",  # negative DST in the tz source
    "Europe/Moscow",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "America/Sao_Paulo",  # midnight in a gap, fall-back at midnight
    "America/St_Johns",  # -03:30, fell back across midnight until 2011
    "America/Goose_Bay",
    "America/Moncton",
    "America/Havana",  # transitions at midnight
    "America/Santiago",
    "America/Caracas",  # -04:30 from 2007 to 2016
    "Australia/Lord_Howe",  # 30-minute DST
    "Australia/Adelaide",
    "Australia/Eucla",  # +08:45
    "Pacific/Chatham",  # +12:45 / +13:45
    "Pacific/Apia",  # skipped 30 December 2011
    "Pacific/Kiritimati",  # +14, skipped 31 December 1994
    "Pacific/Kwajalein",  # skipped 21 August 1993
    "Pacific/Fakaofo",  # skipped 30 December 2011
    "Pacific/Marquesas",  # -09:30
    "Pacific/Norfolk",
    "Asia/Kathmandu",  # +05:45
    "Asia/Kolkata",
    "Asia/Tehran",
    "Asia/Pyongyang",  # +08:30 from 2015 to 2018
    "Asia/Gaza",
    "Asia/Tokyo",
    "Antarctica/Troll",  # 2-hour DST
    "Africa/Casablanca",  # DST suspended for Ramadan
    "Africa/Cairo",
]

anywhen = st.tuples(
    st.datetimes(
        min_value=dt.datetime(1990, 1, 2),
        max_value=dt.datetime(2037, 12, 30),
        timezones=st.just(UTC),
    ),
    st.sampled_from(ZONES),
)


@st.composite
def near_midnight(draw):
    """An instant within three hours of a local midnight, where dates and DST rules collide."""
    zone = draw(st.sampled_from(ZONES))
    date = draw(st.dates(dt.date(1990, 1, 2), dt.date(2037, 12, 30)))
    shift = dt.timedelta(seconds=draw(st.integers(-3 * 3600, 3 * 3600)))
    midnight = dt.datetime.combine(date, dt.time(0), tzinfo=ZoneInfo(zone)).astimezone(UTC)
    return midnight + shift, zone


instants = st.one_of(anywhen, near_midnight())
since_dates = st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31))
PROPERTY = settings(deadline=None, max_examples=300, database=None)


@PROPERTY
@given(case=instants, since=since_dates)
def test_property_days_and_next_date_change(case, since):
    at, zone = case
    tz = ZoneInfo(zone)
    today = daycount.local_date(at, zone)
    assert timecalc.days_since(at, zone, since) == daycount.calendar_days(at, zone, since)

    change = timecalc.next_date_change(at, zone)
    assert change > at
    assert change.utcoffset() == dt.timedelta(0)
    assert (change.second, change.microsecond) == (0, 0)
    assert change.astimezone(tz).date() != today
    assert (change - MINUTE).astimezone(tz).date() == today
    # And no earlier minute shows another date (changes happen on minute boundaries).
    probe = at.replace(second=0, microsecond=0) + MINUTE
    while probe < change:
        assert probe.astimezone(tz).date() == today, probe
        probe += MINUTE


@PROPERTY
@given(case=instants, since=since_dates)
def test_property_snapshot_reads_zoneinfo(case, since):
    at, zone = case
    here = at.astimezone(ZoneInfo(zone))
    content = site(
        zone,
        clocks=[ClockDef("24h", zone), ClockDef("12h", zone, hour12=True)],
        counters=[counter(zone, since)],
    )
    shot = snapshot(at, content)
    clock, clock12 = shot.clocks
    assert clock.time == here.strftime("%H:%M")
    assert clock12.time == here.strftime("%I:%M %p").removeprefix("0")
    offset = here.strftime("%z")  # e.g. +0545
    assert clock.utc_offset == f"{offset[:3]}:{offset[3:5]}"
    assert shot.date.iso == daycount.local_date(at, zone).isoformat()
    days = daycount.calendar_days(at, zone, since)
    (reading,) = shot.counters
    assert reading.days == days
    assert reading.text == caption_by_hand(days, "the event")
    assert shot.next_change == at.replace(second=0, microsecond=0) + MINUTE


@PROPERTY
@given(date=st.dates(dt.date(1990, 1, 2), dt.date(2037, 12, 30)), zone=st.sampled_from(ZONES))
def test_property_local_midnight_starts_the_day(date, zone):
    tz = ZoneInfo(zone)
    start = timecalc.local_midnight(date, zone)
    assert (start.second, start.microsecond) == (0, 0)
    # The date has begun (or, if it was skipped, the next one has) and had not a minute earlier.
    assert start.astimezone(tz).date() >= date
    assert (start - MINUTE).astimezone(tz).date() < date
