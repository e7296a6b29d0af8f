"""The scheduler's feed job: poll the feeds whose interval has passed, one after another."""

from __future__ import annotations

import logging
import threading
from typing import Protocol

import sqlalchemy as sa
from flask import Flask

from dashboard import metrics
from dashboard.content import models, store
from dashboard.core import timecalc
from dashboard.feeds.ingest import PollReport, poll_feed

log = logging.getLogger(__name__)


class Lock(Protocol):
    """The scheduler's lock, as far as a job needs it (the worker owns the lock itself)."""

    def still_held(self) -> bool: ...


def poll_feeds(app: Flask, only_due: bool = True) -> list[PollReport]:
    """Poll every feed (or those whose interval has passed), one after another; one failing
    feed is recorded and the next one is polled."""
    the_store: store.Store = store.store_of(app)
    now = timecalc.utcnow()
    with the_store.session() as db:
        feeds = db.scalars(sa.select(models.Feed).order_by(models.Feed.id)).all()
    reports = []
    for feed in feeds:
        if only_due and not timecalc.is_due(feed.last_polled_at, feed.interval_minutes * 60, now):
            continue
        try:
            reports.append(poll_feed(app, feed.id))
        except Exception:
            log.exception("polling feed %s failed", feed.url)
            metrics.count_feed_poll("error")
    return reports


def scheduled_poll(app: Flask, lock: Lock, lost: threading.Event) -> None:
    """The scheduler's job, every minute: poll the feeds that are due."""
    if not lock.still_held():
        lost.set()
        return
    try:
        with app.app_context():
            for report in poll_feeds(app, only_due=True):
                log.info("feed %s", report.line())
    except Exception:  # the database may be down: try again next minute
        log.exception("feed polling failed")
