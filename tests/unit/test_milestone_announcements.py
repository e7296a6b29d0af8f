"""Milestones are announced exactly once: by one of two schedulers racing, across a restart at
midnight, for a counter added long after its date, and across a failover; each announcement
with its drafts in the site's languages."""

from __future__ import annotations

import datetime as dt
import threading

import sqlalchemy as sa

from dashboard.content import milestones, models
from dashboard.content.store import EXTENSION as STORE
from dashboard.worker import scheduler
from dashboard.worker.lock import lock_for
from tests.helpers.databases import app_on

DAY_700 = dt.datetime(2020, 2, 2, 0, 0, 30, tzinfo=dt.UTC)  # Salisbury's 700th day, London


def configure(app, slug: str = "salisbury", **values) -> None:
    with app.extensions[STORE].session() as db, db.begin():
        db.execute(sa.update(models.Counter).where(models.Counter.slug == slug).values(**values))


def add_counter(app, **values) -> None:
    with app.extensions[STORE].session() as db, db.begin():
        defaults = {"position": 9, "timezone": None, "note": "", "translations": {}}
        db.add(models.Counter(**{**defaults, **values}))


def drafts(app) -> list[models.Statement]:
    with app.extensions[STORE].session() as db:
        query = sa.select(models.Statement).where(models.Statement.draft.is_(True))
        return list(db.scalars(query.order_by(models.Statement.id)))


def recorded(app) -> list[tuple]:
    row = models.MilestoneAnnouncement
    with app.extensions[STORE].session() as db:
        query = sa.select(row.counter_slug, row.kind, row.value, row.statement_slug)
        return [tuple(r) for r in db.execute(query.order_by(row.value))]


def test_two_schedulers_at_once_announce_a_milestone_once(app, tmp_path):
    configure(app, milestones=[700, 1000], anniversaries=True)
    barrier = threading.Barrier(2)
    results: dict[str, list] = {}
    with app_on(app.config["DATABASE_URL"], tmp_path / "other") as other:

        def race(name, instance) -> None:
            with instance.extensions[STORE].session() as session, session.begin():
                barrier.wait()
                results[name] = milestones.announce_due(session, DAY_700)

        threads = [threading.Thread(target=race, args=pair) for pair in (("a", app), ("b", other))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    made = results["a"] + results["b"]
    assert sorted(map(len, results.values())) == [0, 1]
    (one,) = made
    assert one.data() == {
        "counter": "salisbury",
        "since": "2018-03-04",
        "kind": "days",
        "value": 700,
        "date": "2020-02-02",
        "title": "700 days since the Salisbury incident",
        "statements": list(one.statements),
    }
    english, russian = drafts(app)
    assert (english.title, english.language, english.draft) == (one.title, "en", True)
    assert english.summary == "no credible information or response from the British authorities"
    assert (russian.title, russian.language) == ("700 дней с инцидента в Солсбери", "ru")
    assert russian.translation_of == english.slug
    assert one.statements == (english.slug, russian.slug)
    assert recorded(app) == [("salisbury", "days", 700, english.slug)]
    assert milestones.announce_due(app.extensions[STORE].session(), DAY_700) == []


def test_a_restart_across_midnight_announces_what_it_missed_once(app):
    configure(app, milestones=[700])
    assert scheduler.announce_milestones(app, DAY_700 - dt.timedelta(minutes=1, seconds=30)) == []
    # Stopped at 23:59, started again at 00:10: the first tick announces the day's milestone.
    (made,) = scheduler.announce_milestones(app, DAY_700 + dt.timedelta(minutes=10))
    assert made.value == 700
    assert scheduler.announce_milestones(app, DAY_700 + dt.timedelta(minutes=11)) == []
    # A day later (a scheduler down since), it is still announced once.
    assert scheduler.announce_milestones(app, DAY_700 + dt.timedelta(days=1)) == []
    assert len(drafts(app)) == 2


def test_a_counter_added_long_after_its_date_announces_only_its_latest_milestone(app):
    # Every day a milestone, since 2010: only today's is announced; the window's older ones
    # are passed over, and those before the window are not even looked at.
    add_counter(app, slug="old", since=dt.date(2010, 1, 1), event="the old thing", every=1)
    (made,) = scheduler.announce_milestones(app, DAY_700)
    assert (made.counter, made.value, len(made.statements)) == ("old", 3684, 1)  # no Russian
    rows = [r for r in recorded(app) if r[0] == "old"]
    assert len(rows) == milestones.WINDOW_DAYS + 1
    assert [r[2] for r in rows if r[3]] == [3684]
    assert scheduler.announce_milestones(app, DAY_700 + dt.timedelta(hours=1)) == []
    # A milestone missed by a few days, and nothing since: it is announced, late, once.
    add_counter(app, slug="missed", since=dt.date(2019, 1, 1), event="e", milestones=[390])
    (late,) = scheduler.announce_milestones(app, DAY_700)
    assert (late.counter, late.reached_on) == ("missed", dt.date(2020, 1, 26))


def test_a_failover_never_announces_twice(app, tmp_path):
    configure(app, milestones=[700])
    engine = app.extensions[STORE].engine
    first, second = lock_for(engine, app.instance_path), lock_for(engine, app.instance_path)
    assert first.acquire() and not second.acquire()
    # The holder dies in the middle of announcing: its transaction never commits.
    session = app.extensions[STORE].session()
    session.begin()
    assert len(milestones.announce_due(session, DAY_700)) == 1
    session.rollback()
    session.close()
    first.release()
    assert second.acquire()  # the standby takes over and announces
    assert len(scheduler.announce_milestones(app, DAY_700 + dt.timedelta(seconds=30))) == 1
    # The old holder, come back without the lock and wrongly acting, finds it announced.
    assert scheduler.announce_milestones(app, DAY_700 + dt.timedelta(seconds=31)) == []
    second.release()
    assert len(drafts(app)) == 2


def test_a_milestone_is_announced_at_the_counters_own_midnight_on_lord_howe(app):
    # Lord Howe is UTC+11 in its summer: 28 December 2022 starts there at 13:00 UTC on the 27th.
    add_counter(
        app, slug="howe", since=dt.date(2020, 4, 2), timezone="Australia/Lord_Howe", event="e",
        milestones=[1000],
    )  # fmt: skip
    midnight = dt.datetime(2022, 12, 27, 13, 0, tzinfo=dt.UTC)
    assert scheduler.announce_milestones(app, midnight - dt.timedelta(seconds=1)) == []
    (made,) = scheduler.announce_milestones(app, midnight)
    assert (made.counter, made.value, made.reached_on) == ("howe", 1000, dt.date(2022, 12, 28))
