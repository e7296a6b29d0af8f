"""The database: engine per app, migrations, and reading the content a snapshot needs."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy.orm import Session, sessionmaker

from dashboard.content import models, versions
from dashboard.content.filters import NONE as NO_FILTERS
from dashboard.content.filters import StatementFilters
from dashboard.content.schema import counter as counter_schema
from dashboard.content.schema import statement as statement_schema
from dashboard.core import timecalc
from dashboard.core.runs import RunDef
from dashboard.core.snapshot import ClockDef, SiteContent, StatementItem, TopicDef
from dashboard.search import sqlite as search_sqlite

EXTENSION = "dashboard.store"
MIGRATIONS = "dashboard.content:migrations"


class NotInitialised(RuntimeError):
    """The database has no schema or no site yet."""


@dataclasses.dataclass
class Store:
    url: str
    engine: sa.Engine
    sessions: sessionmaker[Session]
    # Called after a content write commits in this process (the caches drop what they hold).
    listeners: list[Callable[[], None]] = dataclasses.field(default_factory=list)

    def session(self) -> Session:
        return self.sessions()

    def changed(self) -> None:
        for listener in self.listeners:
            listener()


def store_of(app) -> Store:
    return app.extensions[EXTENSION]


def current_store() -> Store:
    """The app's store, in a request, a CLI command or any app context."""
    return store_of(current_app)


def make_store(url: str) -> Store:
    kwargs: dict = {"pool_pre_ping": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"timeout": 15}
    engine = sa.create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    return Store(url=url, engine=engine, sessions=sessionmaker(engine, expire_on_commit=False))


def _sqlite_pragmas(dbapi_connection, _record):
    search_sqlite.register(dbapi_connection)  # the search index's triggers call these
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for the scheduler's writes
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def default_sqlite_url(instance_path: str) -> str:
    Path(instance_path).mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{Path(instance_path) / 'dashboard.sqlite3'}"


def migrate(store: Store, revision: str = "head") -> None:
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def schema_is_current(the_store: Store) -> bool:
    """Whether the database is at the newest migration this code ships."""
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    head = ScriptDirectory.from_config(config).get_current_head()
    with the_store.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision() == head


def current_revision(session: Session) -> int:
    try:
        revision = session.scalar(sa.select(models.Site.revision).where(models.Site.id == 1))
    except sa.exc.OperationalError as error:
        if _is_missing_table(error):
            raise NotInitialised("the database has no schema: run `dashboard migrate`") from None
        raise
    except sa.exc.ProgrammingError as error:
        raise NotInitialised("the database has no schema: run `dashboard migrate`") from error
    if revision is None:
        raise NotInitialised("no site is loaded: run `dashboard load FILE` or `--demo`")
    return revision


def _is_missing_table(error: Exception) -> bool:
    return "no such table" in str(error).lower()


def mark_changed(session: Session) -> None:
    """Bump the content revision and drop bytes rendered from the old content, in the caller's
    transaction, so that a write and its cache invalidation commit together."""
    session.execute(
        sa.update(models.Site).where(models.Site.id == 1).values(revision=models.Site.revision + 1)
    )
    session.execute(sa.delete(models.Rendered))


def visible_at(at: dt.datetime, include_drafts: bool = False, statement=models.Statement):
    """What readers see at `at`: published by then (a later `published` means scheduled), not
    expired, and not a draft. Every public read (page, archive, statement page, API, Atom,
    snapshot) goes through this condition; drafts only for the admin's preview. `statement`
    may be an alias of the table."""
    condition = sa.and_(
        statement.published <= at,
        sa.or_(statement.expires.is_(None), statement.expires > at),
    )
    return condition if include_drafts else sa.and_(statement.draft.is_(False), condition)


NEWEST_FIRST = (models.Statement.published.desc(), models.Statement.id.desc())


def read_content(
    session: Session, at: dt.datetime | None = None, include_drafts: bool = False
) -> SiteContent:
    """Everything snapshot() needs, read in one transaction, as it stands at `at` (default:
    now): the statements readers see then, and the next scheduled ones, so that snapshots up
    to `valid_until` pick what is published at their own instant. `include_drafts` is for the
    admin's preview only."""
    at = timecalc.as_utc(at or timecalc.utcnow())
    statement = models.Statement
    revision = current_revision(session)
    site = session.get(models.Site, 1)
    clocks = session.scalars(
        sa.select(models.Clock).order_by(models.Clock.position, models.Clock.id)
    ).all()
    counters = session.scalars(
        sa.select(models.Counter).order_by(models.Counter.position, models.Counter.id)
    ).all()
    runs = counter_runs(session, at)
    wanted = site.latest_count + 1  # the featured one, then the latest
    seen = visible_at(at, include_drafts)
    # One version of each statement, so that `wanted` rows are that many statements.
    one_each = versions.shown_in(site.locale, lambda o: visible_at(at, include_drafts, o))
    visible = sa.select(statement).where(seen, one_each).order_by(*NEWEST_FIRST)
    shown = list(session.scalars(visible.limit(wanted)))
    featured = session.scalars(visible.where(statement.featured.is_(True)).limit(1)).first()
    if featured is not None and featured not in shown:
        shown.append(featured)
    not_draft = sa.true() if include_drafts else statement.draft.is_(False)
    scheduled = sa.select(statement).where(statement.published > at, not_draft)
    upcoming = list(
        session.scalars(scheduled.order_by(statement.published, statement.id).limit(wanted + 1))
    )
    beyond = [upcoming.pop().published] if len(upcoming) > wanted else []
    next_expiry = session.scalar(
        sa.select(sa.func.min(statement.expires)).where(statement.expires > at, not_draft)
    )
    held = {*shown, *upcoming}
    held |= versions.of_rows(session, held, not_draft)  # each language's pick among them
    held = sorted(held, key=lambda row: (row.published, row.id), reverse=True)
    return SiteContent(
        revision=revision,
        title=site.title,
        timezone=site.timezone,
        contact=site.contact,
        locale=site.locale,
        clocks=tuple(ClockDef(c.label, c.timezone, c.hour12, c.translations or {}) for c in clocks),
        counters=tuple(
            counter_schema.definition(c, site.timezone, runs.get(c.id, ())) for c in counters
        ),
        statements=tuple(statement_schema.item(row) for row in held),
        latest_count=site.latest_count,
        read_at=at,
        valid_until=min([*beyond, *([next_expiry] if next_expiry else [])], default=None),
        languages=tuple(statement_languages(session, at)),
        topics=topic_defs(session, site.locale),
        translations=site.translations or {},
    )


def counter_runs(session: Session, at: dt.datetime) -> dict[int, list[RunDef]]:
    """Every counter's earlier runs (by counter id, oldest first), in one query, with the
    title of each linked statement that readers see at `at`."""
    run, statement = models.CounterRun, models.Statement
    seen = sa.and_(statement.slug == run.statement, visible_at(at))
    query = (
        sa.select(run.counter_id, run.start, run.end, run.reason, run.statement, statement.title)
        .outerjoin(statement, seen)
        .order_by(run.counter_id, run.start, run.id)
    )
    found: dict[int, list[RunDef]] = {}
    for counter_id, start, end, reason, slug, title in session.execute(query):
        found.setdefault(counter_id, []).append(RunDef(start, end, reason, slug, title or ""))
    return found


def next_statement_change(session: Session, after: dt.datetime) -> dt.datetime | None:
    """The first instant after `after` at which a statement appears or leaves."""
    statement = models.Statement
    not_draft = statement.draft.is_(False)
    publish = sa.select(sa.func.min(statement.published)).where(statement.published > after)
    expiry = sa.select(sa.func.min(statement.expires)).where(statement.expires > after)
    instants = [session.scalar(q.where(not_draft)) for q in (publish, expiry)]
    return min((i for i in instants if i is not None), default=None)


def statements_page(
    session: Session,
    limit: int,
    before: tuple[dt.datetime, int] | None = None,
    at: dt.datetime | None = None,
    filters: StatementFilters = NO_FILTERS,
    zone_name: str = "UTC",
    locale: str | None = None,
) -> tuple[list[StatementItem], tuple[dt.datetime, int] | None]:
    """Newest first, as readers see them at `at` (default: now), by keyset: `before` is the
    (published, id) of the last row already shown. A year or month is the site's, in
    `zone_name`. With `locale`, each statement once, in its version for that language."""
    at = at or timecalc.utcnow()
    query = sa.select(models.Statement).order_by(*NEWEST_FIRST)
    if before is not None:
        published, row_id = before
        # A row-value comparison, which both SQLite and PostgreSQL answer from the
        # (published, id) index; the equivalent OR made SQLite scan. The plain bound comes
        # first: SQLite starts the index at the first upper bound on `published` it is given,
        # and from visible_at's (`at`) it read every newer row first, a page 50,000 rows deep
        # taking 15 ms instead of 2.
        query = query.where(models.Statement.published <= published).where(
            sa.tuple_(models.Statement.published, models.Statement.id) < (published, row_id)
        )
    query = query.where(visible_at(at))
    if locale is not None:
        query = query.where(versions.shown_in(locale, lambda o: visible_at(at, statement=o)))
    if filters.topic:  # in the form that reads least for this topic
        query = query.where(with_topic(session, filters.topic, limit + 1))
        filters = dataclasses.replace(filters, topic=None)
    query = query.where(*filters.conditions(zone_name))
    rows = session.scalars(query.limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = (rows[-1].published, rows[-1].id) if more and rows else None
    return [statement_schema.item(r) for r in rows], cursor


# Reading a topic's links and sorting their statements costs about five times as much a row as
# walking the statements newest first and looking up each one's link (SQLite, 100,000 rows).
SORT_COST = 5


def with_topic(session: Session, slug: str, wanted: int) -> sa.ColumnElement[bool]:
    """The condition for statements about the topic `slug`, in the form that reads least when
    `wanted` rows are asked for. A topic of k statements among N: its links can be read and
    their statements sorted (about SORT_COST × k), or the statements walked newest first by
    their index, each one's link looked up, until enough are found (about wanted × N / k).
    SQLite keeps no statistics that would let it choose; PostgreSQL is given the topic's id."""
    statement, links = models.Statement, models.statement_topics.c
    last_id = sa.select(sa.func.max(statement.id)).scalar_subquery()
    found = session.execute(
        sa.select(models.Topic.id, last_id).where(models.Topic.slug == slug)
    ).first()
    if found is None:
        return sa.false()
    topic_id, most = found
    large = math.isqrt(wanted * (most or 0) // SORT_COST) + 1  # where the two costs meet
    mine = sa.select(sa.literal(1)).where(links.topic_id == topic_id).limit(large).subquery()
    if session.scalar(sa.select(sa.func.count()).select_from(mine)) >= large:
        return sa.exists().where(links.statement_id == statement.id, links.topic_id == topic_id)
    return statement.id.in_(sa.select(links.statement_id).where(links.topic_id == topic_id))


def topics(session: Session) -> list[models.Topic]:
    """Every topic, in order."""
    query = sa.select(models.Topic).order_by(models.Topic.position, models.Topic.id)
    return list(session.scalars(query))


def topic_defs(session: Session, site_locale: str) -> tuple[TopicDef, ...]:
    """Every topic as pages name it, in order (read as plain rows: once a revision, per process)."""
    topic = models.Topic
    rows = session.execute(
        sa.select(topic.slug, topic.name, topic.translations).order_by(topic.position, topic.id)
    )
    return tuple(TopicDef(slug, name, site_locale, names or {}) for slug, name, names in rows)


def topic_choices(session: Session) -> list[tuple[str, str]]:
    """(slug, name) of every topic, in order: what a statement may name."""
    return [(topic.slug, topic.name) for topic in topics(session)]


def statement_languages(session: Session, at: dt.datetime) -> list[str]:
    return list(
        session.scalars(
            sa.select(models.Statement.language)
            .where(visible_at(at))
            .distinct()
            .order_by(models.Statement.language)
        )
    )


def statement_by_slug(
    session: Session, slug: str, at: dt.datetime | None = None
) -> StatementItem | None:
    """The statement readers see under `slug` at `at` (default: now), if any."""
    at = at or timecalc.utcnow()
    row = session.scalars(
        sa.select(models.Statement).where(models.Statement.slug == slug, visible_at(at))
    ).first()
    return statement_schema.item(row) if row else None


def has_expired(session: Session, slug: str, at: dt.datetime) -> bool:
    """Whether `slug` was published and has expired by `at` (its page answers 410 Gone)."""
    statement = models.Statement
    found = session.scalar(
        sa.select(statement.id).where(
            statement.slug == slug,
            statement.draft.is_(False),
            statement.published <= at,
            statement.expires <= at,
        )
    )
    return found is not None


def rendered_bytes(
    session: Session, key: str, at: dt.datetime, minute: dt.datetime | None = None
) -> models.Rendered | None:
    """Bytes warmed for `minute` (default: `at`'s), if they were rendered from the current
    content and still tell what is published at `at`."""
    return session.scalars(
        sa.select(models.Rendered)
        .join(models.Site, models.Site.revision == models.Rendered.revision)
        .where(
            models.Rendered.key == key,
            models.Rendered.minute == (minute or timecalc.floor_minute(at)),
            models.Rendered.valid_from <= at,
            models.Rendered.next_change > at,
        )
    ).first()


# -- the admin's overview -----------------------------------------------------------------------
def content_counts(session: Session) -> dict[str, int]:
    now = timecalc.utcnow()

    def count(model, *where) -> int:
        return session.scalar(sa.select(sa.func.count()).select_from(model).where(*where)) or 0

    return {
        "published": count(models.Statement, visible_at(now)),
        "scheduled": count(
            models.Statement,
            models.Statement.draft.is_(False),
            models.Statement.published > now,
        ),
        "drafts": count(models.Statement, models.Statement.draft.is_(True)),
        "counters": count(models.Counter),
        "clocks": count(models.Clock),
        "topics": count(models.Topic),
        "feeds": count(models.Feed),
    }


def failing_feeds(session: Session) -> list[models.Feed]:
    return list(session.scalars(sa.select(models.Feed).where(models.Feed.last_error.is_not(None))))


def site_row(session: Session) -> models.Site | None:
    return session.get(models.Site, 1)
