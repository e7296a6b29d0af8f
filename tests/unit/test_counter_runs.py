"""A counter's runs and record, as the snapshot reads them: lengths in calendar days in the
counter's zone, a reset on the day the run began is a run of 0 days, and the record is the
longest run, the current one included once it is longer."""

from __future__ import annotations

import datetime as dt

from dashboard.core import timecalc
from dashboard.core.runs import RunDef
from dashboard.core.snapshot import CounterDef, SiteContent, snapshot

D = dt.date


def content(*counters: CounterDef) -> SiteContent:
    return SiteContent(
        revision=1,
        title="Embassy",
        timezone="Europe/London",
        contact="",
        locale="en",
        clocks=(),
        counters=counters,
    )


def test_runs_are_calendar_days_and_the_record_is_the_longest():
    runs = (
        RunDef(D(2018, 3, 4), D(2019, 6, 1), "A second incident", "statement-one"),
        RunDef(D(2019, 6, 1), D(2019, 6, 1), "Reset twice on one day"),  # 0 days
    )
    counter = CounterDef("salisbury", D(2019, 6, 1), "Europe/London", "the incident", runs=runs)
    at = dt.datetime(2020, 1, 26, 17, 58, tzinfo=dt.UTC)
    reading = snapshot(at, content(counter)).counters[0]
    assert [r.days for r in reading.runs] == [454, 0]
    assert reading.runs[1].days_text == "0 days" and reading.runs[0].end_text == "01.06.2019"
    assert reading.current.days == reading.days == 239 and reading.current.end is None
    record = reading.record
    assert (record.days, record.start, record.end, record.current) == (
        454, D(2018, 3, 4), D(2019, 6, 1), False
    )  # fmt: skip
    assert record.text == "record: 454 days"
    ru = snapshot(at, content(counter), "ru").counters[0]
    assert ru.record.text == "рекорд: 454 дня" and ru.runs[1].days_text == "0 дней"
    # The current run takes the record once it is longer; a tie stays with the earlier run.
    tie = at + dt.timedelta(days=454 - 239)
    assert snapshot(tie, content(counter)).counters[0].record.current is False
    later = snapshot(tie + dt.timedelta(days=1), content(counter)).counters[0].record
    assert (later.current, later.days, later.end, later.text) == (
        True,
        455,
        None,
        "record: 455 days",
    )
    one = snapshot(dt.datetime(2019, 6, 2, 12, tzinfo=dt.UTC), content(counter), "ru")
    assert one.counters[0].record.text == "рекорд: 454 дня"


def test_a_new_counter_holds_its_own_record_and_a_countdown_has_none_yet():
    fresh = CounterDef("new", D(2020, 1, 20), "UTC", "the start")
    ahead = CounterDef("ahead", D(2020, 2, 1), "UTC", "the summit")
    at = dt.datetime(2020, 1, 26, 12, tzinfo=dt.UTC)
    new, countdown = snapshot(at, content(fresh, ahead)).counters
    assert new.runs == () and new.record.current and new.record.days == 6
    assert countdown.days == -6 and countdown.current.days == 0 and countdown.record.days == 0
    assert snapshot(at, content(fresh), "ru").counters[0].record.text == "рекорд: 6 дней"


def test_a_run_across_a_clock_change_counts_calendar_days_in_the_counters_zone():
    # London springs forward on 29 March 2020: that day has 23 hours. At 23:30 UTC it is
    # already 30 March in London, but still 29 March in UTC.
    at = dt.datetime(2020, 3, 29, 23, 30, tzinfo=dt.UTC)
    runs = (RunDef(D(2020, 3, 28), D(2020, 3, 29), "Over the change"),)
    london = CounterDef("london", D(2020, 3, 29), "Europe/London", "x", runs=runs)
    utc = CounterDef("utc", D(2020, 3, 29), "UTC", "x", runs=runs)
    in_london, in_utc = snapshot(at, content(london, utc)).counters
    assert in_london.runs[0].days == in_utc.runs[0].days == 1
    assert (in_london.days, in_utc.days) == (1, 0)
    assert timecalc.days_between(D(2020, 3, 28), D(2020, 3, 29)) == 1
    # Tied with the run before it: the record stays with that earlier run.
    assert in_london.record.current is False and in_london.record.days == 1
    assert in_london.next_change == dt.datetime(2020, 3, 30, 23, tzinfo=dt.UTC)  # BST midnight
