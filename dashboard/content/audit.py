"""The audit log: who did what, and when. Rows are only ever added, in the transaction of
what they record; the database refuses UPDATE and DELETE (migration 0010). A detail never
holds a password or a token: callers pass names, slugs and field names only."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import g, has_request_context
from sqlalchemy.orm import Session

from dashboard.content import models
from dashboard.core.timecalc import utcnow

COMMAND_LINE = "command line"


def current_actor() -> str:
    """Who is acting: the signed-in admin's email, the API token's name, else the CLI."""
    if has_request_context():
        admin = g.get("admin")
        if admin is not None:
            return admin.email
        token = g.get("api_token")
        if token:
            return f"token {token}"
    return COMMAND_LINE


def record(
    db: Session,
    action: str,
    subject: str = "",
    details: dict | None = None,
    actor: str | None = None,
    at: dt.datetime | None = None,
) -> None:
    db.add(
        models.AuditEntry(
            at=at or utcnow(),
            actor=actor if actor is not None else current_actor(),
            action=action,
            subject=subject,
            details=details or {},
        )
    )


def entries(
    db: Session,
    actor: str = "",
    action: str = "",
    limit: int = 50,
    before: int | None = None,
) -> list[models.AuditEntry]:
    """Newest first; `before` an id, for the next page."""
    query = sa.select(models.AuditEntry)
    if actor:
        query = query.where(models.AuditEntry.actor == actor)
    if action:
        query = query.where(models.AuditEntry.action == action)
    if before is not None:
        query = query.where(models.AuditEntry.id < before)
    return list(db.scalars(query.order_by(models.AuditEntry.id.desc()).limit(limit)))


def actions(db: Session) -> list[str]:
    """The actions the log holds, for a filter's choices."""
    query = sa.select(models.AuditEntry.action).distinct().order_by(models.AuditEntry.action)
    return list(db.scalars(query))
