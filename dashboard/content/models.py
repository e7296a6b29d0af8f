"""The store's tables. Every instant is kept in UTC; `since` is a plain calendar date."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, column_property, mapped_column, relationship

from dashboard.core.timecalc import utcnow


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("refusing to store a naive datetime; the store keeps UTC")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    pass


def _utcnow() -> dt.datetime:
    return utcnow()


class Site(Base):
    """One row: the organisation's settings, and a revision bumped by every content change."""

    __tablename__ = "site"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    contact: Mapped[str] = mapped_column(Text, default="")
    locale: Mapped[str] = mapped_column(String(16), default="en")
    latest_count: Mapped[int] = mapped_column(Integer, default=10)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    # {"ru": {"title": "...", "contact": "..."}}: the site's words in other languages (0011).
    translations: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")


class Clock(Base):
    __tablename__ = "clocks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(100), unique=True)
    timezone: Mapped[str] = mapped_column(String(64))
    hour12: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # {"ru": {"label": "Москва"}} (migration 0011).
    translations: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")


class Counter(Base):
    __tablename__ = "counters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    since: Mapped[dt.date] = mapped_column(Date)
    timezone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    event: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    # {"ru": {"event": "...", "note": "..."}}: the counter's words in other languages.
    translations: Mapped[dict] = mapped_column(JSON, default=dict)
    # How it reads, and its milestones (migration 0013; schema/counter.py says what each means).
    display: Mapped[str] = mapped_column(String(20), default="days", server_default="days")
    calendar: Mapped[str] = mapped_column(String(20), default="", server_default="")
    milestones: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    every: Mapped[int | None] = mapped_column(Integer, nullable=True)
    anniversaries: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class MilestoneAnnouncement(Base):
    """A milestone announced (or, older than the newest one due, passed over): at most one row
    per counter, run (`since`) and milestone, which the database guarantees, so that two
    schedulers can never both announce one (content/milestones.py)."""

    __tablename__ = "milestone_announcements"
    __table_args__ = (
        UniqueConstraint("counter_slug", "since", "kind", "value", name="uq_milestone_once"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    counter_slug: Mapped[str] = mapped_column(String(100))
    since: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(10))  # "days" or "years"
    value: Mapped[int] = mapped_column(Integer)
    reached_on: Mapped[dt.date] = mapped_column(Date)  # the counter's local date
    announced_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # The draft statement in the site's language ("" when passed over).
    statement_slug: Mapped[str] = mapped_column(String(200), default="", server_default="")


# -- a counter's earlier runs (migration 0012) ---------------------------------------------------
class CounterRun(Base):
    """A run of a counter that a reset ended: from `start` to `end` (the reset's date, when the
    current run began), why, and the statement that explains it (a slug, or empty)."""

    __tablename__ = "counter_runs"
    __table_args__ = (Index("ix_counter_runs_counter_id_start", "counter_id", "start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    counter_id: Mapped[int] = mapped_column(ForeignKey("counters.id", ondelete="CASCADE"))
    start: Mapped[dt.date] = mapped_column(Date)
    end: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    statement: Mapped[str] = mapped_column(String(200), default="", server_default="")
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=_utcnow)


# -- topics (migration 0009) --------------------------------------------------------------------
class Topic(Base):
    """What statements are about: /topics/<slug> lists them, with a name per language."""

    __tablename__ = "topics"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(Text)
    # {"ru": {"name": "..."}}: the topic's name in other languages.
    translations: Mapped[dict] = mapped_column(JSON, default=dict)
    position: Mapped[int] = mapped_column(Integer, default=0)


# A statement's topics. The primary key leads with the statement; the index lists a topic's
# statements without reading the others'.
statement_topics = Table(
    "statement_topics",
    Base.metadata,
    Column("statement_id", ForeignKey("statements.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_statement_topics_topic_id", "topic_id", "statement_id"),
)


class Statement(Base):
    __tablename__ = "statements"
    __table_args__ = (Index("ix_statements_published_id", "published", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    published: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    # The body rendered and sanitised once, when it is written (migration 0004): readers never
    # render, so no body, however hostile, costs a reader time.
    body_html: Mapped[str] = mapped_column(Text, default="", server_default="")
    featured: Mapped[bool] = mapped_column(Boolean, default=False)
    source_url: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(16), default="en", index=True)
    # The slug of the original this statement translates; empty for an original (0011).
    translation_of: Mapped[str] = mapped_column(
        String(200), default="", server_default="", index=True
    )
    # Drafts are seen only in the admin: never on the page, archive, API, Atom or snapshot.
    draft: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # A `published` instant in the future means scheduled: unseen until then. After `expires`
    # (migration 0006) the statement leaves every list and its page answers 410 Gone.
    expires: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    # Set on every insert and update (site file, admin, API, feeds); Atom's <updated>.
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=_utcnow, onupdate=_utcnow)
    # When an edit marked as a correction was saved (migration 0010): "Updated DD.MM.YYYY".
    corrected_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Written through (the write paths set it); read through `topics`.
    topic_rows: Mapped[list[Topic]] = relationship(
        secondary=statement_topics,
        order_by=(Topic.position, Topic.id),
        passive_deletes=True,
    )

    @property
    def topics(self) -> list[str]:
        """The slugs of its topics, in the topics' order, as the schema reads and writes them:
        those just set, else those read with the row."""
        if "topic_rows" in self.__dict__:  # loaded or set: the ORM keeps it there
            return [topic.slug for topic in self.topic_rows]
        found = (entry.split(":", 2) for entry in (self.topic_entries or "").split(",") if entry)
        return [slug for _, _, slug in sorted(found, key=lambda e: (int(e[0]), int(e[1])))]


# Its topics as "position:id:slug,…", read in the statement's own query (a correlated subquery
# on the links' primary key) rather than in one more query for every list of statements.
_entry = sa.cast(Topic.position, String) + ":" + sa.cast(Topic.id, String) + ":" + Topic.slug
Statement.topic_entries = column_property(
    sa.select(sa.func.aggregate_strings(_entry, ","))
    .select_from(statement_topics.join(Topic, Topic.id == statement_topics.c.topic_id))
    .where(statement_topics.c.statement_id == Statement.id)
    .correlate_except(statement_topics, Topic)
    .scalar_subquery()
)


# -- revisions and the audit log (migration 0010) ------------------------------------------------
class StatementRevision(Base):
    """A statement's fields as they stood before one edit (the schema's JSON), and that edit:
    when, by whom, and whether it was a correction."""

    __tablename__ = "statement_revisions"
    __table_args__ = (UniqueConstraint("statement_id", "number", name="uq_revisions_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, … per statement
    fields: Mapped[dict] = mapped_column(JSON)
    saved_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    saved_by: Mapped[str] = mapped_column(String(2100))
    correction: Mapped[bool] = mapped_column(Boolean, default=False)


class AuditEntry(Base):
    """Who did what, and when. The database refuses to change or delete a row."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_actor_id", "actor", "id"),
        Index("ix_audit_log_action_id", "action", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(2100))
    action: Mapped[str] = mapped_column(String(50))
    subject: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict] = mapped_column(JSON, default=dict)


class Rendered(Base):
    """Bytes the scheduler rendered ahead for a minute, shared by every web process."""

    __tablename__ = "rendered"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    minute: Mapped[dt.datetime] = mapped_column(UTCDateTime, primary_key=True)
    revision: Mapped[int] = mapped_column(Integer)
    # The bytes tell what is published from valid_from until next_change (migration 0006).
    valid_from: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    etag: Mapped[str] = mapped_column(String(80))
    next_change: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    body: Mapped[bytes] = mapped_column(LargeBinary)


class SchedulerState(Base):
    """Which scheduler holds the lock, and when it last showed it was alive."""

    __tablename__ = "scheduler_state"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    heartbeat_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


# -- admin, write API and feeds (migration 0003) -------------------------------------------------
class Credential:
    """What an admin account and an API token both keep: an id, and when it was made."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=_utcnow)


class AdminUser(Credential, Base):
    """Someone who may sign in at /admin. Only a werkzeug scrypt hash of the password is kept."""

    __tablename__ = "admin_users"

    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Signed into every session cookie; moving it on ends them all (migration 0005).
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class LoginFailure(Base):
    """A wrong password, kept for the throttle window so that every process sees it."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_email_at", "email", "at"),
        Index("ix_login_failures_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class PreviewLink(Credential, Base):
    """A secret link that shows one statement before it is published, to journalists under
    embargo. Only the SHA-256 of its token is kept; it ends when revoked or at `expires_at`."""

    __tablename__ = "preview_links"

    statement_id: Mapped[int] = mapped_column(
        ForeignKey("statements.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    note: Mapped[str] = mapped_column(String(200), default="")  # whom it was made for
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ApiToken(Credential, Base):
    """A bearer token for the write API; only its SHA-256 is kept."""

    __tablename__ = "api_tokens"

    name: Mapped[str] = mapped_column(String(100), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Feed(Base):
    """An RSS or Atom feed polled into statements."""

    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2000), unique=True)
    title: Mapped[str] = mapped_column(Text, default="")
    interval_minutes: Mapped[int] = mapped_column(Integer, default=30)
    language: Mapped[str] = mapped_column(String(16), default="en")
    publish: Mapped[bool] = mapped_column(Boolean, default=True)  # or keep new items as drafts
    etag: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_modified: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_polled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_success_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_error_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


class FeedItem(Base):
    """One item seen in a feed. The unique constraints keep an item from being stored twice,
    even by two pollers at once: by guid, then by link. The row outlives a deleted statement,
    so an item an admin deleted is not fetched again."""

    __tablename__ = "feed_items"
    __table_args__ = (
        UniqueConstraint("feed_id", "guid", name="uq_feed_items_feed_guid"),
        UniqueConstraint("feed_id", "link", name="uq_feed_items_feed_link"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"))
    guid: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    link: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    statement_id: Mapped[int | None] = mapped_column(
        ForeignKey("statements.id", ondelete="SET NULL"), nullable=True, index=True
    )
    fetched_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
