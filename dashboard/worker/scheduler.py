"""The one scheduler: ticks on each UTC minute, warms the rendered bytes, and beats a heartbeat.

It runs in its own process (`dashboard scheduler`, or beside the web server under `dashboard
serve`), never inside a web worker. A midnight in any counter's zone is a minute boundary, so
the minute tick also turns every counter over. It also wakes at each instant within the
coming minute at which a scheduled statement appears or one expires, and warms again, so that
readers find the new bytes ready at once.

Under `dashboard serve` it pulses to its supervisor twice a second while it stands by, or while
its minute ticks keep finishing; a tick stuck for SCHEDULER_STALL_SECONDS makes it give up
(Stalled), so that a fresh scheduler replaces it.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import socket
import threading
from collections.abc import Callable

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from dashboard import config, metrics
from dashboard.cache import live
from dashboard.content import milestones, models, store
from dashboard.core import timecalc
from dashboard.feeds import jobs
from dashboard.webhooks import announcements, outbox
from dashboard.worker.lock import SchedulerLock, lock_for
from dashboard.worker.webhooks import Sender

log = logging.getLogger(__name__)

# Two missed beats: the minute tick has not finished for this long, so a thread is stuck.
SCHEDULER_STALL_SECONDS = 120
LOOP_SECONDS = 0.5  # how often the main thread looks at the stop signal, the lock and the ticks


class Stalled(RuntimeError):
    """The minute tick has not finished for too long: a thread is stuck (the database, a lock)
    and the process cannot be trusted to stop cleanly."""


class TickProgress:
    """When the last minute tick finished (a mark on the monotonic clock)."""

    def __init__(self) -> None:
        self.finished = timecalc.mark()

    def done(self) -> None:
        self.finished = timecalc.mark()

    def stalled_for(self) -> float:
        return timecalc.seconds_since(self.finished)


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def tick(
    app: Flask,
    lock: SchedulerLock,
    lost: threading.Event,
    progress: TickProgress | None = None,
    wake: Callable[[dt.datetime], None] | None = None,
) -> None:
    """Warm this minute and the next, beat, and ask `wake` to come back at the next
    statement's instant if it falls before the next tick."""
    if not lock.still_held():
        log.error("lost the scheduler lock; stopping so that a standby can take over")
        lost.set()
        return
    now = timecalc.utcnow()
    started = timecalc.mark()
    with app.app_context():
        written = _warm(app, now)
        beat(app, now)
        announce_milestones(app, now)
        announce(app, now)  # any statement whose instant passed while no scheduler ran
        coming = _next_statement_change(app, now)
    metrics.observe_tick(timecalc.seconds_since(started))
    if progress is not None:
        progress.done()
    if wake is not None and coming is not None and coming < timecalc.next_minute(now):
        wake(coming)
    log.info("tick %s: warmed %d views", timecalc.format_instant(now), written)


def statement_instant(
    app: Flask, lock: SchedulerLock, lost: threading.Event, wake: Callable | None = None
) -> None:
    """A scheduled statement appears (or one expires) now: warm what readers will ask for."""
    if not lock.still_held():
        lost.set()
        return
    now = timecalc.utcnow()
    with app.app_context():
        written = _warm(app, now)
        announce(app, now)
        coming = _next_statement_change(app, now)
    if wake is not None and coming is not None and coming < timecalc.next_minute(now):
        wake(coming)
    log.info("statement instant %s: warmed %d views", timecalc.format_instant(now), written)


def look_ahead(
    app: Flask, lock: SchedulerLock, lost: threading.Event, wake: Callable | None = None
) -> None:
    """Between ticks: ask `wake` to come back at a statement's instant before the next tick
    (one scheduled just now, by a web process or another machine)."""
    if not lock.still_held():
        return
    now = timecalc.utcnow()
    coming = _next_statement_change(app, now)
    if wake is not None and coming is not None and coming < timecalc.next_minute(now):
        wake(coming)


def _warm(app: Flask, now: dt.datetime) -> int:
    try:
        return live.pages_of(app).warm(now)
    except Exception:  # one bad tick must not stop the next one
        log.exception("warming failed at %s", timecalc.format_instant(now))
        return 0


def _next_statement_change(app: Flask, now: dt.datetime) -> dt.datetime | None:
    try:
        with store.store_of(app).session() as session:
            return store.next_statement_change(session, now)
    except Exception:
        log.exception("could not look for scheduled statements")
        return None


def announce_milestones(app: Flask, now: dt.datetime) -> list[milestones.Announcement]:
    """Announce the counters' milestones due now, each once (content/milestones.py), in one
    transaction. Every tick does, the first at start-up, so that a scheduler restarted after
    midnight announces what it missed; the unique constraint, not the lock, keeps it once."""
    try:
        with store.store_of(app).session() as session, session.begin():
            made = milestones.announce_due(session, now)
            announced(session, made, now)
    except Exception:  # the next tick tries again: nothing was written
        log.exception("could not announce milestones at %s", timecalc.format_instant(now))
        return []
    for one in made:
        log.info("announced %s %s of %s as drafts %s", one.value, one.kind, one.counter,
                 ", ".join(one.statements))  # fmt: skip
    return made


def announced(session, made: list[milestones.Announcement], now: dt.datetime) -> None:
    """What else happens, in the announcing transaction, for each new announcement: its
    webhook event, which therefore exists exactly when the announcement does."""
    for one in made:
        outbox.enqueue(session, "counter.milestone", one.data(), now)


def announce(app: Flask, now: dt.datetime) -> int:
    """statement.published for the statements that became public by `now` (once each)."""
    try:
        with store.store_of(app).session() as session, session.begin():
            return announcements.announce_due(session, now)
    except Exception:
        log.exception("could not announce published statements")
        return 0


def send_webhooks(lock: SchedulerLock, lost: threading.Event, sender: Sender) -> None:
    """Hand the due webhook deliveries to the sender's own threads; returns at once."""
    if lost.is_set() or not lock.still_held():
        return
    sender.pump()


def beat(app: Flask, now) -> None:
    the_store = store.store_of(app)
    try:
        with the_store.session() as session, session.begin():
            session.merge(
                models.SchedulerState(name="scheduler", holder=holder_name(), heartbeat_at=now)
            )
    except Exception:
        log.exception("could not record the heartbeat")


def build(
    app: Flask, lock: SchedulerLock, lost: threading.Event, progress: TickProgress | None = None
) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone=timecalc.UTC)

    def every_minute(job, job_id: str, second: int, **options) -> None:
        # One run at a time; a run missed by less than 45 s still happens, once.
        trigger = CronTrigger(second=second, timezone=timecalc.UTC)
        scheduler.add_job(
            job, trigger, args=(app, lock, lost), id=job_id, coalesce=True, max_instances=1,
            misfire_grace_time=45, **options,
        )  # fmt: skip

    def wake(at: dt.datetime) -> None:
        # One pending wake: the next instant replaces a later one asked for before.
        scheduler.add_job(
            statement_instant, DateTrigger(run_date=at, timezone=timecalc.UTC),
            args=(app, lock, lost), kwargs={"wake": wake}, id="statement-instant",
            replace_existing=True, misfire_grace_time=45,
        )  # fmt: skip

    tick_kw = {"progress": progress, "wake": wake}  # warm at once on start
    every_minute(tick, "minute", 0, next_run_time=timecalc.utcnow(), kwargs=tick_kw)
    # A statement scheduled mid-minute by another process: look again four times a minute.
    scheduler.add_job(
        look_ahead, CronTrigger(second="5,20,35,50", timezone=timecalc.UTC),
        args=(app, lock, lost), kwargs={"wake": wake}, id="look-ahead", coalesce=True,
        max_instances=1, misfire_grace_time=10,
    )  # fmt: skip
    # Feeds: every minute, half way between ticks, poll those whose own interval has passed.
    # One slow or broken feed costs its own timeout and is recorded; the next one goes on.
    every_minute(jobs.scheduled_poll, "feeds", 30)
    # Webhooks: claimed here, sent in the sender's own threads, so no receiver holds a tick.
    sender = Sender(app)
    scheduler.webhook_sender = sender
    scheduler.add_job(
        send_webhooks, IntervalTrigger(seconds=config.WEBHOOK_PUMP_SECONDS, timezone=timecalc.UTC),
        args=(lock, lost, sender), id="webhooks", coalesce=True, max_instances=1,
        misfire_grace_time=10,
    )  # fmt: skip
    return scheduler


def run(
    app: Flask,
    stop: threading.Event | None = None,
    standby_retry: float = config.SCHEDULER_STANDBY_RETRY_SECONDS,
    pulse: Callable[[], None] | None = None,
    stall_after: float = SCHEDULER_STALL_SECONDS,
) -> None:
    """Wait as a standby until the lock is free, then act until stopped or the lock is lost.
    `pulse` is called twice a second while all is well; raises Stalled when a tick is stuck."""
    stop = stop or threading.Event()
    pulse = pulse or (lambda: None)
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
        if _wait_pulsing(stop, standby_retry, pulse):
            return
    log.info("scheduler %s holds the lock", holder_name())
    lost = threading.Event()
    progress = TickProgress()
    scheduler = build(app, lock, lost, progress)
    scheduler.start()
    stalled = False
    try:
        while not stop.wait(LOOP_SECONDS) and not lost.is_set():
            if progress.stalled_for() > stall_after:
                stalled = True
                log.error(
                    "no minute tick has finished for %.0f s; giving up so that a fresh "
                    "scheduler takes over",
                    progress.stalled_for(),
                )
                raise Stalled(f"no tick finished for {progress.stalled_for():.0f} s")
            pulse()
    finally:
        # A stuck thread would hold up a clean shutdown (and may be using the lock's own
        # database connection): leave both to the process's exit, which frees the lock.
        scheduler.shutdown(wait=not stalled)
        scheduler.webhook_sender.close()  # an attempt in flight ends by its own timeout
        if not stalled:
            lock.release()


def _wait_pulsing(stop: threading.Event, seconds: float, pulse: Callable[[], None]) -> bool:
    """Wait `seconds` (True: stopped meanwhile), pulsing: a standby is alive too."""
    started = timecalc.mark()
    while (left := seconds - timecalc.seconds_since(started)) > 0:
        pulse()
        if stop.wait(min(left, LOOP_SECONDS)):
            return True
    return stop.is_set()
