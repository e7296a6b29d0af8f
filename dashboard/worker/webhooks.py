"""The scheduler's webhook sender: a few times a second nothing, every WEBHOOK_PUMP_SECONDS a
claim of the due deliveries, each attempted in a thread pool of its own. A receiver that is
down, slow or failing costs a pool thread its timeout, never the minute tick; the pool's size
caps how many attempts are in flight, and a delivery is claimed only when a thread is free."""

from __future__ import annotations

import concurrent.futures
import logging
import threading
from collections.abc import Callable

from flask import Flask

from dashboard.content import store
from dashboard.core import timecalc
from dashboard.webhooks import delivery, outbox
from dashboard.webhooks.models import Delivery, Webhook

log = logging.getLogger(__name__)


class Sender:
    def __init__(self, app: Flask, clock: Callable = timecalc.utcnow):
        settings = app.config
        self.store = store.store_of(app)
        self.clock = clock
        self.concurrency = int(settings.get("WEBHOOK_CONCURRENCY", 4))
        self.allow_private = bool(settings.get("WEBHOOK_ALLOW_PRIVATE"))
        self.timeouts = delivery.Timeouts(
            connect=float(settings.get("WEBHOOK_CONNECT_TIMEOUT", 3.0)),
            read=float(settings.get("WEBHOOK_READ_TIMEOUT", 5.0)),
        )
        # A claim outlives the longest attempt: connect, send and read, with room to spare.
        self.lease_seconds = 2 * (self.timeouts.connect + 2 * self.timeouts.read) + 30
        self.pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=self.concurrency, thread_name_prefix="webhook"
        )
        self._busy = 0
        self._guard = threading.Lock()
        self.futures: list[concurrent.futures.Future] = []

    def pump(self) -> int:
        """Claim what is due, as many as there are free threads, and hand each to the pool;
        returns at once. How many were handed over."""
        with self._guard:
            free = self.concurrency - self._busy
        if free <= 0:
            return 0
        now = self.clock()
        try:
            with self.store.session() as session, session.begin():
                claimed = outbox.claim_due(session, now, free, self.lease_seconds)
        except Exception:
            log.exception("could not claim webhook deliveries")
            return 0
        for delivery_id, claim in claimed:
            with self._guard:
                self._busy += 1
            future = self.pool.submit(self._attempt, delivery_id, claim)
            self.futures = [f for f in self.futures if not f.done()] + [future]
        return len(claimed)

    def _attempt(self, delivery_id: int, claim: str) -> str | None:
        started = timecalc.mark()
        event = "?"
        try:
            with self.store.session() as session:
                row = session.get(Delivery, delivery_id)
                hook = session.get(Webhook, row.webhook_id) if row else None
                if row is None or hook is None:
                    return None
                event, url, secret = row.event, hook.url, hook.secret
                message_id, body = row.message_id, row.payload
            outcome = delivery.attempt(
                url, secret, message_id, body, self.clock(), self.allow_private, self.timeouts
            )
            with self.store.session() as session, session.begin():
                status = outbox.settle(
                    session, delivery_id, claim, outcome.status_code, outcome.error, self.clock()
                )
            outbox.count_outcome(
                event, _outcome_name(status, outcome), timecalc.seconds_since(started)
            )
            return status
        except Exception:
            log.exception("webhook delivery %s failed unexpectedly", delivery_id)
            return None
        finally:
            with self._guard:
                self._busy -= 1

    def wait(self, timeout: float | None = None) -> None:
        """Until every attempt handed over so far is done (tests, and a clean stop)."""
        concurrent.futures.wait(list(self.futures), timeout=timeout)

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


def _outcome_name(status: str | None, outcome: delivery.Outcome) -> str:
    if status is None:
        return "lost"
    if outcome.refused:
        return "refused"
    if outcome.status_code == 410:
        return "gone"
    return {"delivered": "delivered", "failed": "failed"}.get(status, "retrying")
