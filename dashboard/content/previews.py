"""Preview links: a secret link to one statement before it is published, for journalists
under embargo. The token is shown once, when made; the store keeps only its SHA-256 (tokens
are 256 random bits, so a fast hash is enough and lookups stay indexed). A link works until
it is revoked or its own expiry, and only for the statement it was made for."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dashboard import config
from dashboard.content import audit, models, store
from dashboard.core import timecalc

PREFIX = "pv_"
TOKEN = re.compile(r"pv_[A-Za-z0-9_-]{43}")


class PreviewError(ValueError):
    """A link that cannot be made: the message names the problem."""


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create(the_store: store.Store, statement_id: int, days: int, note: str = "", now=None) -> str:
    """A new link to the statement, working for `days` days; returns its token."""
    now = now or timecalc.utcnow()
    if not 1 <= days <= config.PREVIEW_MAX_DAYS:
        raise PreviewError(f"a preview link lasts 1 to {config.PREVIEW_MAX_DAYS} days")
    note = note.strip()
    if len(note) > 200:
        raise PreviewError("the note is longer than 200 characters")
    token = PREFIX + secrets.token_urlsafe(32)
    with the_store.session() as db, db.begin():
        if db.get(models.Statement, statement_id) is None:
            raise PreviewError(f"there is no statement {statement_id}")
        db.add(
            models.PreviewLink(
                statement_id=statement_id,
                token_hash=digest(token),
                note=note,
                created_at=now,
                expires_at=now + dt.timedelta(days=days),
            )
        )
        details = {"statement_id": statement_id, "days": days, "note": note}
        audit.record(db, "preview.create", str(statement_id), details, at=now)
    return token


def revoke(
    the_store: store.Store, statement_id: int, link_id: int, now=None
) -> models.PreviewLink | None:
    """End the statement's link at once; None if the statement has no such link."""
    with the_store.session() as db, db.begin():
        link = db.get(models.PreviewLink, link_id)
        if link is None or link.statement_id != statement_id:
            return None
        if link.revoked_at is None:
            link.revoked_at = now or timecalc.utcnow()
            details = {"statement_id": statement_id, "link": link_id}
            audit.record(db, "preview.revoke", str(statement_id), details)
        return link


def links_of(db: Session, statement_id: int) -> list[models.PreviewLink]:
    return list(
        db.scalars(
            sa.select(models.PreviewLink)
            .where(models.PreviewLink.statement_id == statement_id)
            .order_by(models.PreviewLink.created_at.desc(), models.PreviewLink.id.desc())
        )
    )


def is_working(link: models.PreviewLink, now: dt.datetime) -> bool:
    return link.revoked_at is None and now < link.expires_at


def statement_for(db: Session, slug: str, token: str, now: dt.datetime):
    """The statement `slug`, if `token` is a working preview link made for it; else None."""
    if not TOKEN.fullmatch(token):
        return None
    row = db.scalars(
        sa.select(models.Statement)
        .join(models.PreviewLink, models.PreviewLink.statement_id == models.Statement.id)
        .where(
            models.PreviewLink.token_hash == digest(token),
            models.PreviewLink.revoked_at.is_(None),
            models.PreviewLink.expires_at > now,
            models.Statement.slug == slug,
        )
    ).first()
    return row
