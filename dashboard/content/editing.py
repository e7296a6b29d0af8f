"""Content writes from the admin and the write API: checked by each entity's schema, as site
files are, done in one transaction with mark_changed(), then shown at once in this process.

Every function here either writes everything it was asked to or nothing: a FieldErrors (bad
values) or a Conflict (a slug or label already taken) leaves the store as it was.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dashboard.content import audit, models, rendering, revisions, store, versions
from dashboard.content.schema import CLOCK, COUNTER, SITE, STATEMENT, TOPIC, Context, FieldErrors
from dashboard.content.schema.topic import undeclared
from dashboard.core.timecalc import utcnow
from dashboard.webhooks import announcements


class Conflict(Exception):
    """A unique value (slug, label, URL) that another row already has."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.fields = {field: [message]}
        super().__init__(message)


class NotFound(LookupError):
    pass


@contextlib.contextmanager
def content_write() -> Iterator[Session]:
    """A transaction that changes what the public sees: the revision is bumped and stale bytes
    dropped in it, and this process's pages are refreshed right after the commit (others
    notice the new revision within a minute)."""
    try:
        with store.current_store().session() as db, db.begin():
            yield db
            db.flush()
            store.mark_changed(db)
    except sa.exc.IntegrityError as error:
        raise Conflict("_", f"another row already has this value ({error.orig})") from None
    store.current_store().changed()


def site_settings(db: Session) -> models.Site:
    site = db.get(models.Site, 1)
    if site is None:
        raise store.NotInitialised("no site is loaded: run `dashboard load FILE` or `--demo`")
    return site


# -- statements -----------------------------------------------------------------------------------
def find_statement(db: Session, slug: str) -> models.Statement | None:
    return db.scalars(sa.select(models.Statement).where(models.Statement.slug == slug)).first()


def _free_slug(db: Session, wanted: str, own_id: int | None) -> str:
    """A derived slug made unique with -2, -3, …"""
    slug, number = wanted, 1
    while True:
        taken = db.scalar(
            sa.select(models.Statement.id).where(
                models.Statement.slug == slug,
                models.Statement.id != (own_id or 0),
            )
        )
        if taken is None:
            return slug
        number += 1
        slug = f"{wanted[:190]}-{number}"


def check_statement(db: Session, values: dict, own_id: int | None = None) -> dict:
    site = site_settings(db)
    values = {  # browsers send text areas with CR LF; the store keeps LF
        k: v.replace("\r\n", "\n") if isinstance(v, str) else v for k, v in values.items()
    }
    explicit_slug = bool(str(values.get("slug") or "").strip())
    if not explicit_slug:
        values = {k: v for k, v in values.items() if k != "slug"}
    checked = STATEMENT.check(values, Context.of(site, store.topic_choices(db)))
    if explicit_slug:
        if _free_slug(db, checked["slug"], own_id) != checked["slug"]:
            raise Conflict("slug", f"the slug {checked['slug']!r} is already used")
    else:
        checked["slug"] = _free_slug(db, checked["slug"], own_id)
    stored = db.get(models.Statement, own_id) if own_id is not None else None
    if stored is not None and stored.body == checked["body"]:
        checked["body_html"] = stored.body_html  # an edit that leaves the body as it was
    else:
        checked["body_html"] = rendered_body(checked["body"])
    return checked


def rendered_body(body: str) -> str:
    """The body's HTML, rendered once now, for readers to show as stored; FieldErrors naming
    'body' when it cannot be rendered in time."""
    try:
        return rendering.body_html(body)
    except rendering.BodyNotRendered as error:
        raise FieldErrors({"body": [str(error)]}) from None


def save_statement(
    values: dict,
    statement_id: int | None = None,
    correction: bool = False,
    restored: int | None = None,
) -> models.Statement:
    """Create (no id) or replace a statement's fields with checked values. An edit keeps the
    version it replaced; `correction` stamps the statement's corrected_at."""
    with content_write() as db:
        row = None
        if statement_id is not None:
            row = db.get(models.Statement, statement_id)
            if row is None:
                raise NotFound(f"no statement with id {statement_id}")
        checked = check_statement(db, values, statement_id)
        former = row.slug if row is not None else None
        slugs = checked.pop("topics")
        was_draft = row.draft if row is not None else True
        if row is None:
            row = models.Statement(**checked)
            db.add(row)
            set_topics(row, slugs, {topic.slug: topic for topic in store.topics(db)})
            db.flush()
            audit.record(db, "statement.create", row.slug)
        else:
            before = revisions.fields_of(row)
            with revisions.kept(db, row, audit.current_actor(), correction):
                for name, value in checked.items():
                    setattr(row, name, value)
                set_topics(row, slugs, {topic.slug: topic for topic in store.topics(db)})
            changed = sorted(k for k, v in revisions.fields_of(row).items() if before.get(k) != v)
            details = {"fields": changed, "correction": correction}
            if restored is not None:
                audit.record(db, "statement.restore", row.slug, {**details, "version": restored})
            elif changed:
                audit.record(db, "statement.edit", row.slug, details)
        if was_draft and not row.draft:
            audit.record(db, "statement.publish", row.slug)
        db.flush()
        announcements.announce(db, row, utcnow())  # published now: statement.published
        if former is not None:
            versions.follow_rename(db, former, row.slug)
        wrong = versions.problems(db, [row.slug])
        if wrong:  # the transaction is rolled back: nothing is written
            raise FieldErrors({"translation_of": [m for found in wrong.values() for m in found]})
        row.topic_rows  # noqa: B018 (loaded here: the caller reads them after the session)
    return row


def restore_statement(statement_id: int, number: int) -> models.Statement:
    """Save a former version over the statement: an edit, kept and audited like any other."""
    with store.current_store().session() as db:
        kept = revisions.revision(db, statement_id, number)
        if kept is None:
            raise NotFound(f"statement {statement_id} has no version {number}")
        context = Context.of(site_settings(db), store.topic_choices(db))
    values, unread = STATEMENT.from_json(kept.fields, context)
    STATEMENT.refuse_unread(values, unread, context)
    return save_statement(values, statement_id, restored=number)


def set_topics(row: models.Statement, slugs: list[str], by_slug: Mapping) -> bool:
    """Give a statement these topics (`by_slug`: every topic's row); whether they changed. An
    edit of its topics alone is an edit too: Atom's <updated> moves."""
    if set(row.topics) == set(slugs):
        return False
    missing = [slug for slug in slugs if slug not in by_slug]
    if missing:  # deleted since the check, by another writer
        raise FieldErrors({"topics": [undeclared(slug) for slug in missing]})
    # In the topics' order, as the relationship loads them.
    row.topic_rows = sorted((by_slug[slug] for slug in slugs), key=lambda t: (t.position, t.id))
    if row.id is not None:
        row.updated_at = utcnow()
    return True


def delete_statement(statement_id: int) -> None:
    with content_write() as db:
        row = db.get(models.Statement, statement_id)
        if row is None:
            raise NotFound(f"no statement with id {statement_id}")
        audit.record(db, "statement.delete", row.slug)
        versions.forget(db, row.slug)
        db.delete(row)


# -- counters, clocks and topics -----------------------------------------------------------------
def _ordered(db: Session, model) -> list:
    return list(db.scalars(sa.select(model).order_by(model.position, model.id)))


def _next_position(db: Session, model) -> int:
    return (db.scalar(sa.select(sa.func.max(model.position))) or 0) + 1


def _unique(db: Session, model, column: str, value: str, own_id: int | None, label: str) -> None:
    taken = db.scalar(
        sa.select(model.id).where(getattr(model, column) == value, model.id != (own_id or 0))
    )
    if taken is not None:
        raise Conflict(column, f"the {label} {value!r} is already used")


def save_counter(values: dict, counter_id: int | None = None) -> models.Counter:
    with content_write() as db:
        checked = COUNTER.check(values)
        _since_after_runs(db, checked["since"], counter_id)
        return _save_ordered(db, models.Counter, "slug", checked, counter_id)


def _since_after_runs(db: Session, since, counter_id: int | None) -> None:
    """The current run cannot begin before the last earlier run ended (content/resets.py)."""
    if counter_id is None or since is None:
        return
    run = models.CounterRun
    last = db.scalar(sa.select(sa.func.max(run.end)).where(run.counter_id == counter_id))
    if last is not None and since < last:
        message = f"'since' ({since}) is before the last earlier run ended ({last})"
        raise FieldErrors({"since": [message]})


def save_topic(values: dict, topic_id: int | None = None) -> models.Topic:
    with content_write() as db:
        checked = TOPIC.check(values)
        return _save_ordered(db, models.Topic, "slug", checked, topic_id)


def save_clock(values: dict, clock_id: int | None = None) -> models.Clock:
    with content_write() as db:
        checked = CLOCK.check(values)
        return _save_ordered(db, models.Clock, "label", checked, clock_id)


def _save_ordered(db: Session, model, key: str, checked: dict, row_id: int | None):
    """Create (at the end of the order) or update a counter, clock or topic, unique by `key`."""
    _unique(db, model, key, checked[key], row_id, key)
    kind = model.__tablename__[:-1]
    if row_id is None:
        row = model(**checked, position=_next_position(db, model))
        db.add(row)
        audit.record(db, f"{kind}.create", checked[key])
        return row
    row = db.get(model, row_id)
    if row is None:
        raise NotFound(f"no {kind} with id {row_id}")
    changed = sorted(name for name, value in checked.items() if getattr(row, name) != value)
    for name, value in checked.items():
        setattr(row, name, value)
    if changed:
        audit.record(db, f"{kind}.edit", checked[key], {"fields": changed})
    return row


def delete_row(model, row_id: int) -> None:
    with content_write() as db:
        row = db.get(model, row_id)
        if row is None:
            raise NotFound(f"nothing with id {row_id}")
        name = getattr(row, "slug", None) or getattr(row, "label", "")
        audit.record(db, f"{model.__tablename__[:-1]}.delete", name)
        db.delete(row)


def move(model, row_id: int, steps: int) -> None:
    """Move a counter, clock or topic up (-1) or down (+1) its list; positions become 0, 1, 2, …"""
    with content_write() as db:
        rows = _ordered(db, model)
        index = next((i for i, row in enumerate(rows) if row.id == row_id), None)
        if index is None:
            raise NotFound(f"nothing with id {row_id}")
        target = min(max(index + steps, 0), len(rows) - 1)
        moved = rows[index]
        name = getattr(moved, "slug", None) or getattr(moved, "label", "")
        audit.record(db, f"{model.__tablename__[:-1]}.move", name, {"position": target})
        rows.insert(target, rows.pop(index))
        for position, row in enumerate(rows):
            row.position = position


# -- the site -------------------------------------------------------------------------------------
def save_site(values: dict) -> models.Site:
    with content_write() as db:
        site = site_settings(db)
        checked = SITE.check(values)
        changed = sorted(name for name, value in checked.items() if getattr(site, name) != value)
        for name, value in checked.items():
            setattr(site, name, value)
        if changed:
            audit.record(db, "site.edit", "site", {"fields": changed})
    return site


def preview_content(include_drafts: bool, at):
    """The content as it will stand at `at`: the statements published by then."""
    with store.current_store().session() as db:
        return store.read_content(db, at, include_drafts=include_drafts)
