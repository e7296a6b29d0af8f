"""How a counter reads (days, years-months-days, weeks, working days) and where its milestones
fall: calendar arithmetic, CLDR plurals in each language, the schema's checks."""

from __future__ import annotations

import dataclasses
import datetime as dt

import holidays
import pytest

from dashboard.content.schema import COUNTER, FieldErrors
from dashboard.core import milestones, timecalc
from dashboard.core.readings import read_counter
from dashboard.core.snapshot import CounterDef

D = dt.date
SALISBURY = CounterDef(
    slug="salisbury",
    since=D(2018, 3, 4),
    timezone="Europe/London",
    event="the Salisbury incident",
    translations={"ru": {"event": "инцидента в Солсбери"}},
)


def at_noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


def test_calendar_arithmetic_month_ends_and_leap_days():
    span = timecalc.calendar_span
    assert timecalc.add_months(D(2023, 1, 31), 1) == D(2023, 2, 28)
    assert timecalc.add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert timecalc.add_months(D(2023, 1, 31), 2) == D(2023, 3, 31)  # from the start, not stepwise
    assert span(D(2023, 1, 31), D(2023, 2, 28)) == (0, 1, 0)
    assert span(D(2023, 1, 31), D(2023, 3, 30)) == (0, 1, 30)
    assert span(D(2023, 1, 31), D(2023, 3, 31)) == (0, 2, 0)
    assert timecalc.add_years(D(2020, 2, 29), 1) == D(2021, 2, 28)
    assert span(D(2020, 2, 29), D(2021, 2, 28)) == (1, 0, 0)
    assert span(D(2020, 2, 29), D(2021, 2, 27)) == (0, 11, 29)
    assert span(D(2020, 2, 29), D(2024, 2, 29)) == (4, 0, 0)
    assert span(D(2018, 3, 4), D(2020, 1, 26)) == (1, 10, 22)  # 693 days
    assert span(D(2019, 12, 31), D(2020, 1, 1)) == (0, 0, 1)
    with pytest.raises(timecalc.TimeError):
        span(D(2020, 1, 2), D(2020, 1, 1))


def test_working_days_counted_by_hand_in_britain_and_russia():
    # 21 Dec 2024 to 10 Jan 2025: 15 weekdays. Britain: less Christmas, Boxing Day and New
    # Year's Day, 12. Russia: less 30 and 31 Dec and 1-3 and 6-8 Jan, plus Saturday 28 Dec,
    # which it made a working day, 8.
    start, end = D(2024, 12, 20), D(2025, 1, 10)
    assert timecalc.working_days_between(start, end, "GB") == 12
    assert timecalc.working_days_between(start, end, "RU") == 8
    assert timecalc.working_days_between(end, start, "RU") == -8
    assert timecalc.working_days_between(start, start, "GB") == 0
    # The holidays package's own count (both ends included) agrees over years.
    for code in ("GB", "RU"):
        calendar = holidays.country_holidays(code, years=range(2018, 2021))
        since, today = D(2018, 3, 4), D(2020, 1, 26)
        expected = calendar.get_working_days_count(since + dt.timedelta(days=1), today)
        assert timecalc.working_days_between(since, today, code) == expected
    assert timecalc.calendar_problem("GB-SCT") is None
    assert "'XX'" in timecalc.calendar_problem("XX")


def test_each_display_reads_in_english_and_russian():
    at = at_noon(D(2020, 6, 8))  # 2 years, 3 months and 4 days after 4 March 2018
    ymd = dataclasses.replace(SALISBURY, display="ymd")
    assert read_counter(at, ymd, "en").text == (
        "2 years, 3 months and 4 days have passed since the Salisbury incident"
    )
    ru = read_counter(at, ymd, "ru")
    assert (ru.number, ru.caption) == ("2 года, 3 месяца и 4 дня", "прошло с инцидента в Солсбери")
    assert ru.badge == "2 года, 3 месяца и 4 дня"
    assert ru.days == 827  # the machine-readable count stays in days
    one = read_counter(at_noon(D(2019, 3, 4)), ymd, "en")
    assert (one.text, one.badge) == ("1 year has passed since the Salisbury incident", "1 year")
    assert (
        read_counter(at_noon(D(2019, 3, 4)), ymd, "ru").text
        == "1 год прошёл с инцидента в Солсбери"
    )
    today = read_counter(at_noon(D(2018, 3, 4)), ymd, "en")
    assert (today.number, today.text) == ("", "Today is the day of the Salisbury incident")

    weeks = dataclasses.replace(SALISBURY, display="weeks")
    assert read_counter(at_noon(D(2020, 1, 26)), weeks, "en").text == (
        "99 weeks have passed since the Salisbury incident"
    )
    assert read_counter(at_noon(D(2020, 1, 25)), weeks, "en").number == "98 weeks and 6 days"
    assert read_counter(at_noon(D(2018, 3, 11)), weeks, "ru").text == (
        "1 неделя прошла с инцидента в Солсбери"
    )
    # Counting down: the span from today to the date, in each display.
    ahead = dataclasses.replace(SALISBURY, since=D(2021, 5, 6), display="ymd")
    down = read_counter(at_noon(D(2020, 1, 26)), ahead, "en")
    assert (down.days, down.text) == (
        -466,
        "1 year, 3 months and 10 days to go until the Salisbury incident",
    )
    assert down.badge == "in 1 year, 3 months and 10 days"
    assert read_counter(
        at_noon(D(2021, 4, 29)), dataclasses.replace(ahead, display="weeks"), "ru"
    ).text == ("1 неделя осталась до инцидента в Солсбери")

    working = dataclasses.replace(
        SALISBURY, since=D(2024, 12, 20), display="working-days", calendar="RU"
    )
    reading = read_counter(at_noon(D(2025, 1, 10)), working, "ru")
    assert (reading.working_days, reading.days) == (8, 21)
    assert reading.text == "8 рабочих дней прошло с инцидента в Солсбери"
    gb = read_counter(at_noon(D(2025, 1, 10)), dataclasses.replace(working, calendar="GB"), "en")
    # Counting down, the working days after today up to the date.
    coming = dataclasses.replace(working, since=D(2025, 1, 10))
    down = read_counter(at_noon(D(2024, 12, 20)), coming, "en")
    assert (down.working_days, down.badge) == (-8, "in 8 working days")
    assert down.text == "8 working days to go until the Salisbury incident"
    assert gb.text == "12 working days have passed since the Salisbury incident"
    # The default display keeps the caption it always had.
    assert read_counter(at_noon(D(2020, 1, 26)), SALISBURY, "en").text == (
        "693 days have passed since the Salisbury incident"
    )


def test_milestone_dates_and_the_leap_day_anniversary():
    counter = dataclasses.replace(
        SALISBURY, since=D(2020, 2, 29), milestones=(100, 500, 1000), every=1000, anniversaries=True
    )
    found = milestones.between(counter, D(2020, 1, 1), D(2023, 12, 31))
    assert [(m.kind, m.value, m.date) for m in found] == [
        ("days", 100, D(2020, 6, 8)),
        ("years", 1, D(2021, 2, 28)),  # 29 February's anniversary in a common year
        ("days", 500, D(2021, 7, 13)),
        ("years", 2, D(2022, 2, 28)),
        ("days", 1000, D(2022, 11, 25)),  # in the list and a multiple: one milestone
        ("years", 3, D(2023, 2, 28)),
    ]
    today = D(2022, 11, 25)
    assert [m.key for m in milestones.on(counter, today)] == ["days:1000"]
    assert [m.key for m in milestones.latest(counter, today)] == ["years:1", "days:500", "years:2"]
    assert [m.key for m in milestones.upcoming(counter, today)] == ["years:3", "years:4", "years:5"]
    assert (
        milestones.between(
            dataclasses.replace(counter, since=D(2030, 1, 1)), D(2020, 1, 1), D(2029, 1, 1)
        )
        == []
    )


def test_a_milestone_turns_at_the_counters_own_midnight_in_chatham():
    # Chatham is UTC+13:45 in its summer: 1,000 days after 2 April 2020 is 28 December 2022,
    # which starts there at 10:15 UTC on the 27th.
    counter = dataclasses.replace(
        SALISBURY, since=D(2020, 4, 2), timezone="Pacific/Chatham", milestones=(1000,)
    )
    midnight = dt.datetime(2022, 12, 27, 10, 15, tzinfo=dt.UTC)
    before = read_counter(midnight - dt.timedelta(seconds=1), counter, "en")
    after = read_counter(midnight, counter, "en")
    assert (before.days, before.milestones_today) == (999, ())
    assert before.next_change == midnight
    assert [m.today_text for m in after.milestones_today] == ["1,000 days today"]
    assert (
        read_counter(midnight, counter, "ru").milestones_today[0].today_text
        == "Сегодня — 1\xa0000 дней"
    )


def test_the_schema_names_each_bad_field():
    base = {"slug": "x", "since": D(2020, 1, 1), "event": "e"}
    checked = COUNTER.check(
        {**base, "display": "ymd", "milestones": [1000, 100, 100], "every": 500}
    )
    assert (checked["display"], checked["milestones"], checked["every"]) == (
        "ymd",
        [100, 1000],
        500,
    )
    assert COUNTER.check(base)["display"] == "days"
    bad = [
        ({"display": "working-days"}, "calendar"),
        ({"display": "working-days", "calendar": "Narnia"}, "calendar"),
        ({"display": "fortnights"}, "display"),
        ({"milestones": [0]}, "milestones"),
        ({"milestones": "100"}, "milestones"),
        ({"every": 0}, "every"),
        ({"anniversaries": "yes"}, "anniversaries"),
    ]
    for values, key in bad:
        with pytest.raises(FieldErrors) as error:
            COUNTER.check({**base, **values})
        assert list(error.value.fields) == [key], values
    form, unread = COUNTER.from_form(
        {**{k: str(v) for k, v in base.items()}, "milestones": "100, 5x"}
    )
    assert list(unread) == ["milestones"]
    form, unread = COUNTER.from_form({"milestones": "100, 500", "every": ""})
    assert form["milestones"] == [100, 500] and "every" not in form and not unread


def test_a_stored_row_the_schema_would_refuse_still_reads_in_days():
    # Say a working-days counter whose calendar the holidays package no longer knows.
    broken = dataclasses.replace(SALISBURY, display="working-days", calendar="XX")
    reading = read_counter(at_noon(D(2020, 1, 26)), broken, "en")
    assert (reading.display, reading.badge) == ("days", "693 days")
    assert reading.text == "693 days have passed since the Salisbury incident"
    # The export leaves out what is the default, and keeps what is not.
    row = dataclasses.replace(SALISBURY, display="ymd", milestones=[100], every=None)
    assert {
        k: v for k, v in COUNTER.export(row).items() if k in {"display", "milestones", "every"}
    } == {
        "display": "ymd",
        "milestones": [100],
    }
    assert "display" not in COUNTER.export(SALISBURY)
