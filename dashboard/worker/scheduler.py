"""The one scheduler: ticks on each UTC minute, warms the rendered bytes, and beats a heartbeat.

It runs in its own process (`dashboard scheduler`, or beside the web server under `dashboard
serve`), never inside a web worker. A midnight in any counter's zone is a minute boundary, so
the minute tick also turns every counter over.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import Flask

from dashboard import config
from dashboard.cache import live
from dashboard.content import models, store
from dashboard.core import timecalc
from dashboard.feeds import jobs
from dashboard.worker.lock import SchedulerLock, lock_for

log = logging.getLogger(__name__)


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def tick(app: Flask, lock: SchedulerLock, lost: threading.Event) -> None:
    if not lock.still_held():
        log.error("lost the scheduler lock; stopping so that a standby can take over")
        lost.set()
        return
    now = timecalc.utcnow()
    with app.app_context():
        pages = live.pages_of(app)
        try:
            written = pages.warm(now)
        except Exception:  # one bad tick must not stop the next one
            log.exception("warming failed at %s", timecalc.format_instant(now))
            written = 0
        beat(app, now)
    log.info("tick %s: warmed %d views", timecalc.format_instant(now), written)


def beat(app: Flask, now) -> None:
    the_store = store.store_of(app)
    try:
        with the_store.session() as session, session.begin():
            session.merge(
                models.SchedulerState(name="scheduler", holder=holder_name(), heartbeat_at=now)
            )
    except Exception:
        log.exception("could not record the heartbeat")


def build(app: Flask, lock: SchedulerLock, lost: threading.Event) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone=timecalc.UTC)

    def every_minute(job, job_id: str, second: int, **options) -> None:
        # One run at a time; a run missed by less than 45 s still happens, once.
        trigger = CronTrigger(second=second, timezone=timecalc.UTC)
        scheduler.add_job(
            job, trigger, args=(app, lock, lost), id=job_id, coalesce=True, max_instances=1,
            misfire_grace_time=45, **options,
        )  # fmt: skip

    every_minute(tick, "minute", 0, next_run_time=timecalc.utcnow())  # warm at once on start
    # Feeds: every minute, half way between ticks, poll those whose own interval has passed.
    # One slow or broken feed costs its own timeout and is recorded; the next one goes on.
    every_minute(jobs.scheduled_poll, "feeds", 30)
    return scheduler


def run(
    app: Flask,
    stop: threading.Event | None = None,
    standby_retry: float = config.SCHEDULER_STANDBY_RETRY_SECONDS,
) -> None:
    """Wait as a standby until the lock is free, then act until stopped or the lock is lost."""
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
    the_store = store.store_of(app)
    lock = lock_for(the_store.engine, app.instance_path)
    announced = False
    while not lock.acquire():
        if not announced:
            log.info("another scheduler holds the lock; standing by")
            announced = True
        if stop.wait(standby_retry):
            return
    log.info("scheduler %s holds the lock", holder_name())
    lost = threading.Event()
    scheduler = build(app, lock, lost)
    scheduler.start()
    try:
        while not stop.wait(0.5) and not lost.is_set():
            pass
    finally:
        scheduler.shutdown(wait=True)
        lock.release()
