"""The outbox: one delivery row per webhook subscribed to an event, written in the
transaction of the event's cause, then claimed, attempted and settled by the scheduler.

Retries back off as Standard Webhooks suggests (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h …)
until WEBHOOK_RETRY_HOURS after the event, when the delivery is failed. Any 2xx is delivered;
410 Gone fails it at once and turns the webhook off (the receiver said it is gone for good)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dashboard import config, metrics
from dashboard.core import timecalc
from dashboard.webhooks.models import DELIVERED, FAILED, PENDING, Delivery, Webhook

log = logging.getLogger(__name__)

ERROR_CHARS = 200  # last_error is a short reason, never a response body


def message_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


def payload(event: str, data: dict, at: dt.datetime) -> str:
    """The body every attempt sends and signs, as Standard Webhooks lays it out."""
    document = {"type": event, "timestamp": timecalc.as_utc(at).isoformat(), "data": data}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def enqueue(session: Session, event: str, data: dict, at: dt.datetime) -> list[Delivery]:
    """A delivery for each enabled webhook subscribed to `event`, due now, in the caller's
    transaction: the event exists if and only if its cause is committed."""
    hooks = session.scalars(sa.select(Webhook).where(Webhook.enabled.is_(True)))
    body = payload(event, data, at)
    made = [
        Delivery(
            webhook_id=hook.id,
            message_id=message_id(),
            event=event,
            payload=body,
            created_at=at,
            status=PENDING,
            attempts=0,
            next_attempt_at=at,
            last_error="",
        )  # fmt: skip
        for hook in hooks
        if event in (hook.events or [])
    ]
    session.add_all(made)
    session.flush()
    return made


def claim_due(session: Session, now: dt.datetime, limit: int, lease_seconds: float) -> list:
    """Up to `limit` due deliveries, each claimed by this caller alone: (id, claim). The
    conditional update is what makes a claim atomic; a second sender finds it taken."""
    if limit <= 0:
        return []
    due = session.scalars(
        sa.select(Delivery.id)
        .join(Webhook, Webhook.id == Delivery.webhook_id)
        .where(
            Delivery.status == PENDING,
            Delivery.next_attempt_at <= now,
            sa.or_(Delivery.claimed_until.is_(None), Delivery.claimed_until < now),
            Webhook.enabled.is_(True),
        )
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(limit)
    ).all()
    claimed = []
    for delivery_id in due:
        token = uuid.uuid4().hex
        taken = session.execute(
            sa.update(Delivery)
            .where(
                Delivery.id == delivery_id,
                Delivery.status == PENDING,
                sa.or_(Delivery.claimed_until.is_(None), Delivery.claimed_until < now),
            )
            .values(claim=token, claimed_until=timecalc.shift(now, lease_seconds))
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount == 1:
            claimed.append((delivery_id, token))
    return claimed


def retry_at(delivery: Delivery, now: dt.datetime) -> dt.datetime | None:
    """When to try again after `delivery.attempts` failed attempts; None: not any more."""
    delays = config.WEBHOOK_RETRY_SECONDS
    delay = delays[min(delivery.attempts, len(delays)) - 1]
    later = timecalc.shift(now, delay)
    deadline = timecalc.shift(delivery.created_at, config.WEBHOOK_RETRY_HOURS * 3600)
    return later if later <= deadline else None


def settle(
    session: Session, delivery_id: int, claim: str, status_code: int | None, error: str,
    now: dt.datetime,
) -> str | None:  # fmt: skip
    """Record one attempt's outcome on a delivery this caller claimed; the status it is left
    in (None if the claim was lost meanwhile: a resend, or a lease that ran out)."""
    delivery = session.get(Delivery, delivery_id, with_for_update=True)
    if delivery is None or delivery.claim != claim:
        return None
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_status_code = status_code
    delivery.claim = delivery.claimed_until = None
    if status_code is not None and 200 <= status_code < 300:
        delivery.status, delivery.delivered_at = DELIVERED, now
        delivery.next_attempt_at, delivery.last_error = None, ""
    elif status_code == 410:
        delivery.status, delivery.next_attempt_at = FAILED, None
        delivery.last_error = "410 Gone: the receiver is gone; the webhook was turned off"
        hook = session.get(Webhook, delivery.webhook_id)
        if hook is not None:
            hook.enabled = False
            hook.disabled_reason = f"answered 410 Gone at {timecalc.format_instant(now)}"
    else:
        delivery.last_error = (error or f"answered HTTP {status_code}")[:ERROR_CHARS]
        delivery.next_attempt_at = retry_at(delivery, now)
        delivery.status = PENDING if delivery.next_attempt_at else FAILED
    return delivery.status


def resend(session: Session, delivery_id: int, now: dt.datetime) -> Delivery | None:
    """One more attempt now, under the same webhook-id; a failed delivery whose retry window
    has passed gets this one attempt only."""
    delivery = session.get(Delivery, delivery_id, with_for_update=True)
    if delivery is None:
        return None
    delivery.status, delivery.next_attempt_at = PENDING, now
    delivery.claim = delivery.claimed_until = None
    return delivery


def log_page(session: Session, page: int, per_page: int) -> tuple[list, bool]:
    """Deliveries newest first, with their webhook's URL: (rows of one page, more after it)."""
    rows = session.execute(
        sa.select(Delivery, Webhook.url)
        .join(Webhook, Webhook.id == Delivery.webhook_id)
        .order_by(Delivery.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page + 1)
    ).all()
    return rows[:per_page], len(rows) > per_page


def count_outcome(event: str, outcome: str, seconds: float) -> None:
    """Every attempt's outcome passes here once: delivered, retrying, failed, gone (410),
    refused (the address is not allowed) or lost (the claim was taken meanwhile). The one
    place to count them (metrics)."""
    log.info("webhook %s attempt: %s in %.2f s", event, outcome, seconds)
    metrics.count_webhook_delivery(outcome)
