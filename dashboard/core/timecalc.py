"""All time arithmetic lives here: instants are aware UTC datetimes, days are calendar dates.

zoneinfo does the conversions; pytz is kept only for its catalogue of zone names, so that a
name like "posixrules" or a file path is never accepted as a zone.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
import time
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
import pytz

from dashboard.config import EARLIEST_YEAR, LATEST_YEAR

UTC = dt.UTC
MINUTE = dt.timedelta(minutes=1)


class TimeError(ValueError):
    """An instant or zone that cannot be used; the message says why."""


def utcnow() -> dt.datetime:
    return dt.datetime.now(UTC)


def is_known_zone(name: str) -> bool:
    if name not in pytz.all_timezones_set:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    if not is_known_zone(name):
        raise TimeError(f"{name!r} is not a known IANA time zone (e.g. 'Europe/London')")
    return ZoneInfo(name)


def as_utc(at: dt.datetime) -> dt.datetime:
    if at.tzinfo is UTC:  # most instants here already are (the fast path's, on every request)
        return at
    if at.tzinfo is None or at.utcoffset() is None:
        raise TimeError(f"{at.isoformat()} has no UTC offset; give one, e.g. 'Z' or '+01:00'")
    return at.astimezone(UTC)


def year_problem(value: dt.date) -> str | None:
    """What is wrong with a date or date-time outside the years the dashboard accepts (config's
    EARLIEST_YEAR to LATEST_YEAR), or None. Checked as given, before any conversion, so that
    arithmetic near year 1 or 9999 never overflows."""
    if EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        return None
    shown = value.isoformat(timespec="seconds") if isinstance(value, dt.datetime) else value
    return f"{shown} is outside the years {EARLIEST_YEAR} to {LATEST_YEAR}"


def check_year(value: dt.date) -> None:
    problem = year_problem(value)
    if problem:
        raise TimeError(problem)


def parse_instant(text: str) -> dt.datetime:
    """Parse an RFC 3339 date-time such as 2020-01-26T17:58:00Z into an aware UTC datetime,
    in the years the dashboard accepts."""
    cleaned = text.strip()
    if len(cleaned) < 16 or cleaned[10] not in "Tt ":
        raise TimeError(
            f"{text!r} is not an RFC 3339 date-time; expected e.g. '2020-01-26T17:58:00Z'"
        )
    try:
        parsed = dt.datetime.fromisoformat(cleaned.replace("z", "Z"))
    except ValueError as error:
        raise TimeError(f"{text!r} is not a valid date-time: {error}") from None
    if parsed.tzinfo is None:
        raise TimeError(f"{text!r} has no UTC offset; add one, e.g. 'Z' or '+01:00'")
    check_year(parsed)
    return as_utc(parsed)


def format_instant(at: dt.datetime) -> str:
    """2020-01-26T17:58:00Z: the form used in JSON, URLs and the CLI. isoformat, not
    strftime: %Y writes the year 1 as "1", which is not RFC 3339."""
    return as_utc(at).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


_last_log_second: tuple[int, str] = (-1, "")  # every record of a second shares its text


def log_time_text(unix_seconds: float) -> str:
    """2020-01-26T17:58:00.123Z: a log record's time, UTC, to the millisecond."""
    global _last_log_second
    whole = math.floor(unix_seconds)
    micros = round((unix_seconds - whole) * 1_000_000)  # as datetime rounds it
    if micros == 1_000_000:
        whole, micros = whole + 1, 0
    second, text = _last_log_second
    if second != whole:
        text = dt.datetime.fromtimestamp(whole, UTC).strftime("%Y-%m-%dT%H:%M:%S.")
        _last_log_second = (whole, text)
    return f"{text}{micros // 1000:03d}Z"


def local(at: dt.datetime, zone_name: str) -> dt.datetime:
    return as_utc(at).astimezone(zone(zone_name))


def local_date(at: dt.datetime, zone_name: str) -> dt.date:
    return local(at, zone_name).date()


def days_since(at: dt.datetime, zone_name: str, since: dt.date) -> int:
    """Calendar days from `since` to today's date in the zone; negative while `since` is ahead."""
    return (local_date(at, zone_name) - since).days


def days_between(start: dt.date, end: dt.date) -> int:
    """Calendar days from `start` to `end` (a counter's run): 0 when it ended the day it began."""
    return (end - start).days


# -- calendar spans: years, months, weeks and working days (counters' readings) --------------
def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by whole calendar months. A day the month lacks becomes its last: 31 January
    + 1 month is 28 February (29 in a leap year), 29 February + 1 year is 28 February."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def add_years(day: dt.date, years: int) -> dt.date:
    return add_months(day, 12 * years)


def calendar_span(start: dt.date, end: dt.date) -> tuple[int, int, int]:
    """(years, months, days) from `start` to `end` (not before it): the most whole months that,
    added to `start`, do not pass `end`, then the days left. Months are always added to `start`
    itself, never stepwise: from 31 January, 31 March is 2 months, 30 March 1 month and 30 days
    (to 28 February, then on). Never days / 365."""
    if end < start:
        raise TimeError(f"{end} is before {start}")
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) > end:
        months -= 1
    days = (end - add_months(start, months)).days
    return months // 12, months % 12, days


def whole_years(start: dt.date, end: dt.date) -> int:
    """Full years from `start` to `end` (anniversaries passed, by add_years)."""
    return calendar_span(start, end)[0] if end >= start else 0


def weeks_and_days(days: int) -> tuple[int, int]:
    return divmod(days, 7)


@lru_cache(maxsize=64)
def calendar_problem(code: str) -> str | None:
    """What is wrong with a public-holiday calendar's name: a country code the `holidays`
    package knows ("GB", "RU"), optionally with one of its subdivisions ("GB-SCT")."""
    country, _, subdivision = code.partition("-")
    try:  # asks for the one country, rather than importing every country's module
        holidays.country_holidays(country, subdiv=subdivision or None, years=())
    except NotImplementedError:
        return (
            f"calendar {code!r} is not a country the holidays calendar knows (e.g. GB, RU, GB-SCT)"
        )
    return None


@lru_cache(maxsize=4096)
def working_days_between(start: dt.date, end: dt.date, calendar_code: str) -> int:
    """Working days after `start` up to and including `end` (negative when `end` is earlier):
    days that are neither the country's weekend nor one of its public holidays, and the
    weekend days it makes working days (Russia's transferred Saturdays)."""
    if end < start:
        return -working_days_between(end, start, calendar_code)
    if problem := calendar_problem(calendar_code):
        raise TimeError(problem)
    country, _, subdivision = calendar_code.partition("-")
    days_off = holidays.country_holidays(
        country, subdiv=subdivision or None, years=range(start.year, end.year + 1)
    )
    weekend = days_off.weekend
    total = (end - start).days
    weeks, rest = divmod(total, 7)
    count = weeks * (7 - len(weekend))
    count += sum(
        (start + dt.timedelta(days=n)).weekday() not in weekend for n in range(1, rest + 1)
    )
    count -= sum(1 for day in days_off if start < day <= end and day.weekday() not in weekend)
    count += sum(1 for day in days_off.weekend_workdays if start < day <= end)
    return count


def days_after(day: dt.date, days: int) -> dt.date:
    return day + dt.timedelta(days=days)


def floor_minute(at: dt.datetime) -> dt.datetime:
    return as_utc(at).replace(second=0, microsecond=0)


def next_minute(at: dt.datetime) -> dt.datetime:
    return floor_minute(at) + MINUTE


def minute_from(at: dt.datetime, minutes: int) -> dt.datetime:
    """The start of the minute `minutes` after `at`'s (before it, when negative)."""
    return floor_minute(at) + minutes * MINUTE


MINUTE_FORMAT = "%Y-%m-%dT%H:%MZ"  # a minute in a URL: 2026-12-01T18:53Z
MINUTE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z")


def minute_text(at: dt.datetime) -> str:
    return floor_minute(at).strftime(MINUTE_FORMAT)


def parse_minute(text: str) -> dt.datetime:
    """A UTC minute as minute_text writes it, in the years the dashboard accepts."""
    if not MINUTE_TEXT.fullmatch(text):
        raise TimeError(f"{text!r} is not a minute in UTC; expected e.g. '2026-12-01T18:53Z'")
    try:
        parsed = dt.datetime.strptime(text, MINUTE_FORMAT).replace(tzinfo=UTC)
    except ValueError as error:
        raise TimeError(f"{text!r} is not a valid minute: {error}") from None
    check_year(parsed)
    return parsed


def next_date_change(at: dt.datetime, zone_name: str) -> dt.datetime:
    """The first instant after `at` at which the zone's calendar date differs from now.

    Midnight can fall in a DST gap (the day starts at 01:00), in a fold (a day starts twice),
    or be skipped with its whole day (Samoa, 30 December 2011); each candidate is checked.
    """
    at = as_utc(at)
    today = local_date(at, zone_name)
    tz = zone(zone_name)
    tomorrow = today + dt.timedelta(days=1)
    candidates = []
    for fold in (0, 1):
        start = dt.datetime.combine(tomorrow, dt.time(0), tzinfo=tz).replace(fold=fold)
        instant = start.astimezone(UTC)
        if instant > at and local_date(instant, zone_name) != today:
            candidates.append(instant)
    # Tomorrow's first midnight is the change only if today's offset holds until just before it.
    # A fall-back shortly after midnight returns the zone to yesterday first (St John's and
    # Moncton went from 00:01 back to 23:01 until 2010; Casey from 02:00 to 23:00 in 2010).
    if candidates:
        first = min(candidates)
        if local(first - MINUTE, zone_name).utcoffset() == local(at, zone_name).utcoffset():
            return first
    # The offset changes first: the date changes at the transition or at a midnight on the new
    # offset, on a minute boundary either way. Search minute by minute (within a day, rare).
    probe = next_minute(at)
    while local_date(probe, zone_name) == today:
        probe += MINUTE
    return probe


def utc_offset_text(local_time: dt.datetime) -> str:
    offset = local_time.utcoffset()
    if offset is None:
        raise TimeError("a local time without a zone has no UTC offset")
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{mins:02d}"


def clock_text(local_time: dt.datetime, hour12: bool = False) -> str:
    if hour12:
        hour = local_time.hour % 12 or 12
        return f"{hour}:{local_time.minute:02d} {'AM' if local_time.hour < 12 else 'PM'}"
    return f"{local_time.hour:02d}:{local_time.minute:02d}"


def epoch_millis(at: dt.datetime) -> int:
    """Unix milliseconds, for the browser's Date.now()."""
    return round(as_utc(at).timestamp() * 1000)


def seconds_until(later: dt.datetime, now: dt.datetime) -> float:
    return (as_utc(later) - as_utc(now)).total_seconds()


def whole_seconds_left(later: dt.datetime, now: dt.datetime) -> int:
    """Whole seconds from `now` until `later`, rounded down, never negative: how long a copy
    made now may be kept (max-age, cacheSeconds) without outliving `later`."""
    return max(0, math.floor(seconds_until(later, now)))


def local_midnight(day: dt.date, zone_name: str) -> dt.datetime:
    """The UTC instant at which `day` starts in the zone (used for date-only publication)."""
    start = dt.datetime.combine(day, dt.time(0), tzinfo=zone(zone_name)).astimezone(UTC)
    if local_date(start, zone_name) != day:  # midnight skipped by a gap: the day starts later
        start = next_date_change(start - dt.timedelta(hours=3), zone_name)
    return start


# -- admin, feeds and the write API ---------------------------------------------------------
def shift(at: dt.datetime, seconds: float) -> dt.datetime:
    """`at` moved by a number of seconds (negative: earlier), e.g. a throttle window's start."""
    return as_utc(at) + dt.timedelta(seconds=seconds)


def is_due(last: dt.datetime | None, every_seconds: float, now: dt.datetime) -> bool:
    """Whether something last done at `last` (never: None) is due again at `now`."""
    return last is None or shift(last, every_seconds) <= as_utc(now)


def from_local_text(text: str, zone_name: str) -> dt.datetime:
    """A wall-clock date-time as a form's datetime-local field sends it ('2020-01-26T17:58'),
    read in the zone. A time that a DST gap skips is refused; in a fold, the first is taken."""
    try:
        naive = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise TimeError(
            f"{text!r} is not a date and time; expected e.g. '2020-01-26T17:58'"
        ) from None
    check_year(naive)
    if naive.tzinfo is not None:
        return as_utc(naive)
    instant = naive.replace(tzinfo=zone(zone_name), fold=0).astimezone(UTC)
    if local(instant, zone_name).replace(tzinfo=None) != naive:
        raise TimeError(
            f"{naive.isoformat(' ', 'minutes')} does not exist in {zone_name} (the clocks skip it)"
        )
    return instant


def local_input_text(at: dt.datetime, zone_name: str) -> str:
    """The instant as a datetime-local field shows it in the zone: '2020-01-26T17:58', with
    seconds when it has them, so that saving the form again keeps the instant."""
    shown = local(at, zone_name).replace(tzinfo=None)
    return shown.isoformat(timespec="seconds" if shown.second else "minutes")


def from_utc_struct(value) -> dt.datetime | None:
    """A time.struct_time in UTC (as feedparser gives dates) as an aware UTC datetime; None
    when there is none, or it is outside the accepted years (the fetch time stands in)."""
    if value is None:
        return None
    try:
        at = dt.datetime(*value[:6], tzinfo=UTC)
    except (TypeError, ValueError):
        return None
    return None if year_problem(at) else at


# -- durations of processes (the scheduler, `dashboard serve`) -------------------------------
def mark() -> float:
    """A point on the monotonic clock, for timeouts and back-off: never a wall-clock instant."""
    return time.monotonic()


def seconds_since(started: float) -> float:
    """Seconds elapsed since a mark() (immune to the wall clock being set)."""
    return time.monotonic() - started
