"""When dates change, captions, and parsing instants and zone names: like test_time.py, every
expected value is worked out by hand from the tz database, and no test depends on today."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from dashboard.core import timecalc
from dashboard.core.captions import counter_caption
from dashboard.core.snapshot import ClockDef, snapshot
from tests.helpers import timecases as cases
from tests.helpers.timecases import day, site, utc

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
    assert timecalc.local_date(change - cases.MINUTE, zone) == today
    shot = snapshot(at, site(zone, counters=[cases.counter(zone, "2000-01-01")]))
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
    assert timecalc.local_date(skip - cases.SECOND, zone) == day(last_day)
    assert timecalc.local_date(skip, zone) == day(first_day)
    assert timecalc.days_since(skip - cases.SECOND, zone, since) == 28
    assert timecalc.days_since(skip, zone, since) == 30
    assert timecalc.next_date_change(skip - dt.timedelta(hours=4), zone) == skip
    assert timecalc.local_midnight(day(first_day), zone) == skip


@pytest.mark.parametrize(
    ("date", "zone", "start", "local_clock"),
    [
        (day("2018-11-03"), "America/Sao_Paulo", "2018-11-03T03:00:00Z", "00:00"),
        (
            day("2018-11-04"),
            "America/Sao_Paulo",
            "2018-11-04T03:00:00Z",
            "01:00",
        ),  # midnight skipped
        (day("2018-11-05"), "America/Sao_Paulo", "2018-11-05T02:00:00Z", "00:00"),
        (day("2019-02-16"), "America/Sao_Paulo", "2019-02-16T02:00:00Z", "00:00"),  # 25 hours long
        (day("2019-02-17"), "America/Sao_Paulo", "2019-02-17T03:00:00Z", "00:00"),
        (day("2019-03-31"), "Europe/London", "2019-03-31T00:00:00Z", "00:00"),
        (day("2019-04-01"), "Europe/London", "2019-03-31T23:00:00Z", "00:00"),
        (day("2011-12-29"), "Pacific/Apia", "2011-12-29T10:00:00Z", "00:00"),
        (day("2011-12-31"), "Pacific/Apia", "2011-12-30T10:00:00Z", "00:00"),
        (day("2020-01-27"), "Asia/Kathmandu", "2020-01-26T18:15:00Z", "00:00"),
        # The 29th began twice in St John's; it starts at the first midnight.
        (day("2006-10-29"), "America/St_Johns", "2006-10-29T02:30:00Z", "00:00"),
    ],
)
def test_local_midnight(date, zone, start, local_clock):
    assert timecalc.local_midnight(date, zone) == utc(start)
    assert cases.clock_reading(utc(start), zone).time == local_clock
    assert timecalc.local_date(utc(start) - cases.SECOND, zone) < date


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
        counters=[cases.counter(zone, "2018-03-04") for zone in counter_zones.split()],
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
    assert cases.caption_by_hand(days, "X", note) == text  # keeps the property test's oracle honest


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
        lambda: snapshot(naive, cases.REFERENCE_SITE),
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
        site(counters=[cases.counter(name, "2018-03-04")]),
    ):
        with pytest.raises(timecalc.TimeError) as caught:
            snapshot(cases.REFERENCE, content)
        assert message in str(caught.value)


def test_minute_helpers():
    at = utc("2020-01-26T17:58:42.123456Z")
    assert timecalc.floor_minute(at) == cases.REFERENCE
    assert timecalc.next_minute(at) == utc("2020-01-26T17:59:00Z")
    assert timecalc.next_minute(cases.REFERENCE) == utc("2020-01-26T17:59:00Z")  # strictly after
    moscow = at.astimezone(ZoneInfo("Europe/Moscow"))
    assert timecalc.format_instant(moscow) == "2020-01-26T17:58:42Z"
