"""Properties of the time rules: random instants in awkward zones, each checked against
zoneinfo and a day count of the tests' own (tests/helpers/daycount.py), never against timecalc.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.core import timecalc
from dashboard.core.snapshot import ClockDef, snapshot
from tests.helpers import daycount
from tests.helpers.timecases import (
    MINUTE,
    UTC,
    caption_by_hand,
    counter,
    day,
    site,
    utc,
)

# A module of a second or more: in the full suite, not the fast tier.
pytestmark = pytest.mark.system

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
PROPERTY = settings(deadline=None, max_examples=150, database=None)


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
