"""Webhooks saved from the admin: checked by the schema the site file uses, in one
transaction, audited. An empty secret keeps the stored one, or, for a new webhook, is made."""

from __future__ import annotations

import sqlalchemy as sa

from dashboard.content import audit, editing, store
from dashboard.content.schema import WEBHOOK
from dashboard.content.schema.webhook import new_secret
from dashboard.core.timecalc import utcnow
from dashboard.webhooks import outbox
from dashboard.webhooks.models import Delivery, Webhook


def save_webhook(values: dict, webhook_id: int | None = None) -> tuple[Webhook, str | None]:
    """(the saved webhook, its secret if one was made now: shown to the admin this once)."""
    try:
        return _save(values, webhook_id)
    except sa.exc.IntegrityError:  # the same url saved by another writer meanwhile
        raise editing.Conflict("url", f"the url {values.get('url')!r} is already used") from None


def _save(values: dict, webhook_id: int | None) -> tuple[Webhook, str | None]:
    made = None
    with store.current_store().session() as db, db.begin():
        row = db.get(Webhook, webhook_id) if webhook_id is not None else None
        if webhook_id is not None and row is None:
            raise editing.NotFound(f"no webhook with id {webhook_id}")
        if not str(values.get("secret") or "").strip():
            made = None if row is not None else new_secret()
            values = {**values, "secret": row.secret if row is not None else made}
        checked = WEBHOOK.check(values)
        taken = db.scalar(
            sa.select(Webhook.id).where(
                Webhook.url == checked["url"], Webhook.id != (webhook_id or 0)
            )
        )
        if taken is not None:
            raise editing.Conflict("url", f"the url {checked['url']!r} is already used")
        if row is None:
            row = Webhook(**checked, disabled_reason="")
            db.add(row)
            audit.record(db, "webhook.create", checked["url"], {"events": checked["events"]})
        else:
            changed = sorted(k for k, v in checked.items() if getattr(row, k) != v)
            for name, value in checked.items():
                setattr(row, name, value)
            if row.enabled:
                row.disabled_reason = ""
            if changed:
                audit.record(db, "webhook.edit", checked["url"], {"fields": changed})
        db.flush()
    return row, made


def delete_webhook(webhook_id: int) -> None:
    """The webhook and its deliveries' log."""
    with store.current_store().session() as db, db.begin():
        row = db.get(Webhook, webhook_id)
        if row is None:
            raise editing.NotFound(f"no webhook with id {webhook_id}")
        audit.record(db, "webhook.delete", row.url)
        db.execute(sa.delete(Delivery).where(Delivery.webhook_id == webhook_id))
        db.delete(row)


def webhooks() -> list[Webhook]:
    with store.current_store().session() as db:
        return list(db.scalars(sa.select(Webhook).order_by(Webhook.id)))


def resend(delivery_id: int) -> Delivery | None:
    """One more attempt of a delivery, now, under its webhook-id; None if there is none. The
    scheduler sends it within seconds (if its webhook is on)."""
    with store.current_store().session() as db, db.begin():
        found = outbox.resend(db, delivery_id, utcnow())
        if found is not None:
            audit.record(db, "webhook.resend", found.message_id, {"delivery": delivery_id})
            db.flush()
    return found
