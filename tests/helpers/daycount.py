"""Calendar days counted without the code under test or datetime.date subtraction: dates as day
numbers by integer arithmetic, and a zone's date at an instant from the offset in force there.
The time properties check timecalc against these."""

from __future__ import annotations

import calendar
import datetime as dt
from zoneinfo import ZoneInfo

SECONDS_PER_DAY = 86400
EPOCH = dt.date(1970, 1, 1)


def day_number(date: dt.date) -> int:
    """Days from 1970-01-01 to a proleptic Gregorian date (negative before it), by Howard
    Hinnant's days_from_civil: eras of 400 years, years starting in March."""
    year, month = date.year - (date.month <= 2), date.month
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * ((month + 9) % 12) + 2) // 5 + date.day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468


def local_day_number(at: dt.datetime, zone: str) -> int:
    """The zone's date at `at` as a day number: the instant's POSIX seconds plus the UTC offset
    zoneinfo gives for it, floored to whole days. Local wall time has no leap seconds and
    stands still for no gap, so whole days of it are calendar days."""
    offset = at.astimezone(ZoneInfo(zone)).utcoffset()
    seconds = calendar.timegm(at.utctimetuple()) + offset // dt.timedelta(seconds=1)
    return seconds // SECONDS_PER_DAY


def calendar_days(at: dt.datetime, zone: str, since: dt.date) -> int:
    """What a counter must show: the zone's date at `at` minus `since`, in day numbers."""
    return local_day_number(at, zone) - day_number(since)


def local_date(at: dt.datetime, zone: str) -> dt.date:
    return EPOCH + dt.timedelta(days=local_day_number(at, zone))
