"""statement.published: once per statement, when it becomes public. A writer that publishes
one now (the admin, the API, a site file) announces it in its own transaction; the scheduler
announces a scheduled one at its instant, and any it missed while down. The announcement's
primary key makes it once, whoever gets there first, on SQLite and PostgreSQL alike.

Statements taken from feeds are announced only when someone publishes them in the admin or the
API (a feed's own items were published elsewhere first). A statement made public with a
`published` instant more than WEBHOOK_ANNOUNCE_HOURS ago is filed silently: it is an archive
entry, not news (and a first load of an archive sends no flood)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from dashboard import config
from dashboard.content import models, store
from dashboard.core import timecalc
from dashboard.webhooks import outbox
from dashboard.webhooks.models import Announcement

EVENT = "statement.published"


def statement_data(row: models.Statement) -> dict:
    return {
        "slug": row.slug,
        "path": f"/statements/{row.slug}",
        "title": row.title,
        "summary": row.summary,
        "language": row.language,
        "published": timecalc.as_utc(row.published).isoformat(),
        "expires": timecalc.as_utc(row.expires).isoformat() if row.expires else None,
        "topics": list(row.topics),
        "featured": bool(row.featured),
    }


def _record(session: Session, statement_id: int, now: dt.datetime) -> bool:
    """Mark it announced; False if it already was (by anyone, committed or in flight)."""
    values = {"statement_id": statement_id, "announced_at": now}
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        insert = postgresql.insert(Announcement).values(**values).on_conflict_do_nothing()
    elif dialect == "sqlite":
        insert = sqlite.insert(Announcement).values(**values).on_conflict_do_nothing()
    else:  # another database: the plain insert fails on the key instead
        if session.get(Announcement, statement_id) is not None:
            return False
        insert = sa.insert(Announcement).values(**values)
    # RETURNING, not rowcount: an ORM-enabled insert does not report rowcount everywhere.
    return session.execute(insert.returning(Announcement.statement_id)).first() is not None


def is_news(row: models.Statement, now: dt.datetime) -> bool:
    return timecalc.shift(row.published, config.WEBHOOK_ANNOUNCE_HOURS * 3600) >= now


def announce(session: Session, row: models.Statement, now: dt.datetime) -> bool:
    """Announce `row` if it is public at `now` and was not announced; whether it was now."""
    public = not row.draft and row.published <= now and (row.expires is None or row.expires > now)
    if not public or not _record(session, row.id, now):
        return False
    if is_news(row, now):
        outbox.enqueue(session, EVENT, statement_data(row), at=now)
    return True


def announce_due(session: Session, now: dt.datetime) -> int:
    """Announce the statements public at `now`, published within the window, not yet
    announced and not from a feed: the scheduled ones whose instant came, and any missed."""
    window_start = timecalc.shift(now, -config.WEBHOOK_ANNOUNCE_HOURS * 3600)
    announced = sa.select(Announcement.statement_id).where(
        Announcement.statement_id == models.Statement.id
    )
    from_feed = sa.select(models.FeedItem.id).where(
        models.FeedItem.statement_id == models.Statement.id
    )
    rows = session.scalars(
        sa.select(models.Statement)
        .where(
            store.visible_at(now),
            models.Statement.published >= window_start,
            ~announced.exists(),
            ~from_feed.exists(),
        )
        .order_by(models.Statement.published, models.Statement.id)
    ).all()
    return sum(announce(session, row, now) for row in rows)
