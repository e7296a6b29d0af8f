"""Feeds from the scheduler, the CLI and the admin: due feeds are polled, a broken feed or a
database outage never stops the job, and a poll that fails late stores nothing."""

from __future__ import annotations

import datetime as dt
import logging
import threading

import pytest
import sqlalchemy as sa
import time_machine

from dashboard.content import models
from dashboard.content.store import EXTENSION as STORE
from dashboard.feeds import ingest, jobs
from dashboard.worker import scheduler
from dashboard.worker.lock import SchedulerLock
from tests.helpers.admin import log_in, make_admin, post_form, statement_row
from tests.helpers.feeds import add_feed, feed_row, feed_statements
from tests.helpers.reference import REFERENCE_INSTANT


class HeldLock(SchedulerLock):
    """A lock this process holds; it remembers what the job asked of it."""

    def __init__(self):
        self.calls: list[str] = []

    def acquire(self):
        self.calls.append("acquire")
        return True

    def still_held(self):
        self.calls.append("still_held")
        return True

    def release(self):
        self.calls.append("release")


def test_the_scheduler_polls_due_feeds_and_survives_broken_ones(feed_app, server):
    built = scheduler.build(feed_app, HeldLock(), threading.Event())
    assert built.get_job("feeds") is not None  # built, not started: no threads
    good = add_feed(feed_app, server.url("/rss2"))
    bad = add_feed(feed_app, server.url("/malformed"))
    with time_machine.travel(REFERENCE_INSTANT, tick=False):
        jobs.scheduled_poll(feed_app, HeldLock(), threading.Event())
    assert len(feed_statements(feed_app, good)) == 2
    assert "malformed XML" in feed_row(feed_app, bad).last_error
    served = len(server.requests)
    with time_machine.travel(REFERENCE_INSTANT + dt.timedelta(minutes=10), tick=False):
        jobs.scheduled_poll(feed_app, HeldLock(), threading.Event())  # not due for 30 minutes
    assert len(server.requests) == served
    with time_machine.travel(REFERENCE_INSTANT + dt.timedelta(minutes=30), tick=False):
        jobs.scheduled_poll(feed_app, HeldLock(), threading.Event())
    assert len(server.requests) == served + 2


def test_the_scheduler_job_survives_a_database_outage(feed_app, server, monkeypatch, caplog):
    feed = add_feed(feed_app, server.url("/rss2"))  # never polled: due at once
    the_store = feed_app.extensions[STORE]
    lock, lost = HeldLock(), threading.Event()

    def down():
        raise sa.exc.OperationalError("SELECT", {}, Exception("database is down"))

    with monkeypatch.context() as outage, caplog.at_level(logging.INFO, logger=jobs.log.name):
        outage.setattr(the_store, "session", down)  # every session the job opens fails
        with time_machine.travel(REFERENCE_INSTANT, tick=False):
            jobs.scheduled_poll(feed_app, lock, lost)  # logged, not raised
    [record] = [r for r in caplog.records if r.name == jobs.log.name]
    assert (record.levelno, record.getMessage()) == (logging.ERROR, "feed polling failed")
    assert isinstance(record.exc_info[1], sa.exc.OperationalError)
    assert "database is down" in caplog.text  # the traceback says why
    assert server.requests == []  # no feed was fetched without the database
    # The outage is no reason to give up the lock: no standby should take over for it.
    assert lock.calls == ["still_held"]
    assert not lost.is_set()

    caplog.clear()
    with time_machine.travel(REFERENCE_INSTANT + dt.timedelta(minutes=1), tick=False):
        jobs.scheduled_poll(feed_app, lock, lost)  # the next minute, the database is back
    assert [path for path, _headers in server.requests] == ["/rss2"]
    assert [s.title for s in feed_statements(feed_app, feed)] == [
        "Statement on the talks",
        "A note without a date",
    ]
    assert feed_row(feed_app, feed).last_error is None
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert lock.calls == ["still_held", "still_held"]
    assert not lost.is_set()


def test_fetch_feeds_command_polls_every_feed(feed_app, server, at_reference):
    add_feed(feed_app, server.url("/rss2"))
    add_feed(feed_app, server.url("/error"))
    result = feed_app.test_cli_runner().invoke(args=["fetch-feeds"])
    assert result.exit_code == 0, result.output
    assert f"{server.url('/rss2')}: 2 new, 0 already stored" in result.output
    assert f"{server.url('/error')}: error: the server answered HTTP 500" in result.output


@pytest.mark.system  # a second or more: in the full suite, not the fast tier
def test_the_admin_adds_polls_and_shows_each_feeds_state(feed_app, server, at_reference):
    make_admin(feed_app)
    client = feed_app.test_client()
    log_in(client)
    bad = post_form(client, "/admin/feeds/new", {"url": "ftp://x", "interval_minutes": "0"})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "must be an http:// or https:// address" in html
    assert "must be a whole number of minutes" in html
    for path in ("/rss2", "/html"):
        data = {"url": server.url(path), "interval_minutes": "15", "language": "en", "publish": "1"}
        assert post_form(client, "/admin/feeds/new", data).status_code == 303
    duplicate = post_form(client, "/admin/feeds/new", {**data, "url": server.url("/rss2")})
    assert "already on the list" in duplicate.get_data(as_text=True)
    with feed_app.extensions[STORE].session() as db:
        ids = list(db.scalars(sa.select(models.Feed.id).order_by(models.Feed.id)))
    polled = post_form(client, f"/admin/feeds/{ids[0]}/poll", {}, htmx=True)
    assert polled.status_code == 200
    assert '<div id="feed-list">' in polled.get_data(as_text=True)  # only the list, swapped
    assert "2 new" in polled.get_data(as_text=True)
    post_form(client, f"/admin/feeds/{ids[1]}/poll", {})
    listing = client.get("/admin/feeds").get_data(as_text=True)
    assert "2020-01-26T17:58:00Z" in listing  # the good feed's last success
    assert "not an RSS or Atom feed (text/html)" in listing  # the page's last error
    removed = post_form(client, f"/admin/feeds/{ids[0]}/delete", {})
    assert removed.status_code == 303
    assert statement_row(feed_app, feed_statements_slug(feed_app)) is not None  # stays


def feed_statements_slug(app) -> str:
    with app.extensions[STORE].session() as db:
        return db.scalar(
            sa.select(models.Statement.slug).where(
                models.Statement.source_url == "http://ministry.example/talks"
            )
        )


def test_a_poll_that_fails_late_stores_nothing(feed_app, server, monkeypatch, at_reference):
    """One transaction: when the last step fails, the items stored before it go too (SQLite's
    driver begins a transaction only at a write, so a savepoint opened first would commit)."""
    feed_id = add_feed(feed_app, server.url("/rss2"))

    def failing(_session):
        raise sa.exc.OperationalError("UPDATE site", {}, Exception("disk I/O error"))

    monkeypatch.setattr(ingest.store, "mark_changed", failing)
    report = ingest.poll_feed(feed_app, feed_id)
    assert report.error and "disk I/O error" in report.error
    assert feed_statements(feed_app, feed_id) == []
    monkeypatch.undo()
    assert ingest.poll_feed(feed_app, feed_id).new == 2  # nothing was half-stored
