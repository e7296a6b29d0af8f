"""Milestones announced exactly once: a row in milestone_announcements per counter, run (its
`since`) and milestone, and, in the same transaction, a draft statement announcing it in each
of the site's languages, for an editor to publish.

What is due, at an instant: each milestone whose date (in the counter's own zone) has come,
today or up to WINDOW_DAYS before, and that no row records. Of those, only the newest date's
are announced; older ones are recorded as passed over (no statement). So a scheduler that was
down across midnight announces what it missed when it starts, and a counter added with its
date long past announces at most its latest milestone, never hundreds of old ones. A milestone
older than the window is never announced.

The row is inserted first (INSERT … ON CONFLICT DO NOTHING): the unique constraint decides who
announces, so two schedulers, or a lock holder and its successor, can never both do it, whatever
the scheduler's lock says. The caller owns the transaction (worker/scheduler.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from dashboard.content import audit, editing, models
from dashboard.content.schema import counter as counter_schema
from dashboard.core import milestones as marks
from dashboard.core import timecalc
from dashboard.core.captions import milestone_title
from dashboard.i18n.languages import locales

WINDOW_DAYS = 30  # a milestone missed for longer than this is old news: never announced
ACTOR = "scheduler"  # who the audit log says drafted the statements


@dataclasses.dataclass(frozen=True)
class Announcement:
    counter: str  # the counter's slug
    since: dt.date  # its run
    kind: str  # "days" or "years"
    value: int
    reached_on: dt.date  # in the counter's zone
    title: str  # in the site's language
    statements: tuple[str, ...]  # the drafts' slugs, the site's language first

    def data(self) -> dict:
        """The announcement as JSON, e.g. for a webhook's `counter.milestone` event."""
        return {
            "counter": self.counter,
            "since": self.since.isoformat(),
            "kind": self.kind,
            "value": self.value,
            "date": self.reached_on.isoformat(),
            "title": self.title,
            "statements": list(self.statements),
        }


def announce_due(session: Session, at: dt.datetime) -> list[Announcement]:
    """Announce every milestone due at `at` that nobody has; the new announcements. Call it at
    the start of a transaction that the caller commits, and act on what it returns in that same
    transaction (nothing is announced unless it commits)."""
    at = timecalc.as_utc(at)
    _take_write_lock(session)
    site = session.get(models.Site, 1)
    if site is None:
        return []
    rows = session.scalars(sa.select(models.Counter).order_by(models.Counter.position))
    made = []
    for row in rows:
        counter = counter_schema.definition(row, site.timezone)
        if not (counter.milestones or counter.every or counter.anniversaries):
            continue
        for milestone, announce in due(session, counter, at):
            if _claim(session, counter, milestone, at) and announce:
                made.append(_draft(session, site, counter, milestone, at))
    return made


def due(session: Session, counter, at: dt.datetime) -> list[tuple[marks.Milestone, bool]]:
    """The unrecorded milestones in the window, each with whether it is announced (the newest
    date's) or only recorded as passed over."""
    today = timecalc.local_date(at, counter.timezone)
    found = marks.between(counter, timecalc.days_after(today, -WINDOW_DAYS), today)
    if not found:
        return []
    row = models.MilestoneAnnouncement
    query = sa.select(row.kind, row.value).where(
        row.counter_slug == counter.slug, row.since == counter.since
    )
    recorded = {(kind, value) for kind, value in session.execute(query)}
    fresh = [m for m in found if (m.kind, m.value) not in recorded]
    newest = max((m.date for m in fresh), default=None)
    return [(m, m.date == newest) for m in fresh]


def _take_write_lock(session: Session) -> None:
    """On SQLite, take the database's write lock first (a write that changes nothing): a
    transaction that read before a rival's commit could not write after it."""
    if session.get_bind().dialect.name == "sqlite":
        row = models.MilestoneAnnouncement
        session.execute(sa.update(row).where(row.id == -1).values(value=row.value))


def _claim(session: Session, counter, milestone: marks.Milestone, at: dt.datetime) -> bool:
    """Insert the milestone's row; False when it is there already (another scheduler's)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    values = {
        "counter_slug": counter.slug,
        "since": counter.since,
        "kind": milestone.kind,
        "value": milestone.value,
        "reached_on": milestone.date,
        "announced_at": at,
        "statement_slug": "",
    }
    table = models.MilestoneAnnouncement.__table__
    claim = insert(table).values(**values).on_conflict_do_nothing().returning(table.c.id)
    return session.execute(claim).scalar() is not None  # no row back: it was there


def languages_of(site: models.Site, counter) -> list[str]:
    """The site's language, then each other one the site has words in and the counter too (a
    draft in a language the counter has no words in would mix two)."""
    others = [
        code
        for code in locales()
        if code != site.locale
        and code in (site.translations or {})
        and code in counter.translations
    ]
    return [site.locale, *others]


def _draft(session: Session, site, counter, milestone: marks.Milestone, at) -> Announcement:
    slugs: list[str] = []
    titles = []
    for language in languages_of(site, counter):
        event, note = counter.text_in(language)
        title = milestone_title(milestone.kind, milestone.value, event, language)
        values = {
            "title": title,
            "summary": note,
            "published": at,
            "language": language,
            "translation_of": slugs[0] if slugs else "",
            "draft": True,
        }
        checked = editing.check_statement(session, values)
        checked.pop("topics")
        statement = models.Statement(**checked)
        session.add(statement)
        session.flush()
        slugs.append(statement.slug)
        titles.append(title)
    row = models.MilestoneAnnouncement
    session.execute(
        sa.update(row)
        .where(
            row.counter_slug == counter.slug,
            row.since == counter.since,
            row.kind == milestone.kind,
            row.value == milestone.value,
        )
        .values(statement_slug=slugs[0])
    )
    details = {"milestone": milestone.key, "counter": counter.slug, "statements": slugs}
    audit.record(session, "milestone.announce", slugs[0], details, actor=ACTOR, at=at)
    return Announcement(
        counter=counter.slug,
        since=counter.since,
        kind=milestone.kind,
        value=milestone.value,
        reached_on=milestone.date,
        title=titles[0],
        statements=tuple(slugs),
    )
