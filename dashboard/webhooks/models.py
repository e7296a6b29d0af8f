"""The webhooks' tables (migration 0014): the subscriptions, the outbox of deliveries, and the
statements already announced."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dashboard.content.models import Base, UTCDateTime, _utcnow

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


class Webhook(Base):
    """A receiver: its URL, its Standard Webhooks secret, and the events it is sent."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2000), unique=True)
    secret: Mapped[str] = mapped_column(String(200))  # whsec_ + base64
    events: Mapped[list] = mapped_column(JSON, default=list)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Why it was turned off by itself (the receiver answered 410 Gone); empty otherwise.
    disabled_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=_utcnow)


class Delivery(Base):
    """One message to one webhook: the exact body signed and sent on every attempt, under one
    webhook-id, and how its attempts went. A row is claimed (claim, claimed_until) by the one
    sender attempting it."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_webhook_id", "webhook_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    message_id: Mapped[str] = mapped_column(String(64), unique=True)  # msg_…
    event: Mapped[str] = mapped_column(String(50))
    payload: Mapped[str] = mapped_column(Text)  # the JSON body, byte for byte as signed
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)  # when the event happened
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    claim: Mapped[str | None] = mapped_column(String(64), nullable=True)
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Announcement(Base):
    """A statement whose statement.published event was made: the primary key lets it happen
    once, whichever writer or scheduler gets there first."""

    __tablename__ = "statement_announcements"

    statement_id: Mapped[int] = mapped_column(
        ForeignKey("statements.id", ondelete="CASCADE"), primary_key=True
    )
    announced_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
