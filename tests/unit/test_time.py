"""The time rules: counters count calendar dates, clocks come from zoneinfo, dates change on time.

Every expected value here is worked out by hand from the tz database (the comments say how),
never copied from what the code returns. No test depends on today's date. The rules go on in
test_time_changes.py (when dates change, captions, parsing) and test_time_properties.py.
"""

from __future__ import annotations

import datetime as dt

import pytest
import pytz

from dashboard.core import timecalc
from dashboard.core.snapshot import snapshot
from tests.helpers.timecases import (
    MICROSECOND,
    NOTE,
    REFERENCE,
    REFERENCE_SITE,
    SECOND,
    caption_by_hand,
    clock_reading,
    counter,
    day,
    site,
    utc,
)

# --- The reference capture -------------------------------------------------------------------


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
