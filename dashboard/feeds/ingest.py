"""Storing a feed's new items as statements, de-duplicated by guid, then by link, with unique
constraints on (feed, guid) and (feed, link), so two pollers at once still store an item once.
Each item keeps its link as the statement's source URL and its date as the publication date
(the fetch time when it has none). A feed that fails records why; it never stops the others."""

from __future__ import annotations

import dataclasses
import logging
import time

import sqlalchemy as sa
from flask import Flask

from dashboard import metrics
from dashboard.content import audit, editing, models, richtext, store
from dashboard.content.schema import STATEMENT, Context, FieldErrors
from dashboard.core import timecalc
from dashboard.feeds.fetch import Download, FeedError, download
from dashboard.feeds.parse import Item, items_of, parse, shorten

log = logging.getLogger(__name__)


@dataclasses.dataclass
class PollReport:
    feed_id: int
    url: str
    new: int = 0
    duplicates: int = 0
    skipped: list[str] = dataclasses.field(default_factory=list)
    not_modified: bool = False
    error: str | None = None

    def line(self) -> str:
        if self.error:
            return f"{self.url}: error: {self.error}"
        if self.not_modified:
            return f"{self.url}: not modified"
        text = f"{self.url}: {self.new} new, {self.duplicates} already stored"
        return text + (f", {len(self.skipped)} skipped" if self.skipped else "")


CHUNK = 500  # keys per IN (...): well under every database's limit on bound parameters


def _existing(db, column, keys: set[str], *where) -> set[str]:
    """Which of `keys` the column already holds, asked in chunks."""
    found: set[str] = set()
    ordered = sorted(keys)
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        found.update(db.scalars(sa.select(column).where(column.in_(chunk), *where)))
    return found


@dataclasses.dataclass
class Prepared:
    """A feed's items, and for each new one either its checked values, body rendered, or why
    it is skipped. Made before the write transaction (rendering may take seconds, and on
    SQLite that transaction holds the one write lock)."""

    items: list[Item]
    checked: dict[int, dict] = dataclasses.field(default_factory=dict)  # by index in items
    skipped: dict[int, str] = dataclasses.field(default_factory=dict)


def _prepare(the_store: store.Store, feed: models.Feed, entries, now) -> Prepared:
    prepared = Prepared(items_of(entries, feed, now))
    items = prepared.items
    in_feed = (models.FeedItem.feed_id == feed.id,)
    with the_store.session() as db:
        guids = _existing(db, models.FeedItem.guid, {i.guid for i in items if i.guid}, *in_feed)
        links = _existing(db, models.FeedItem.link, {i.link for i in items if i.link}, *in_feed)
        context = Context.of(editing.site_settings(db))
    for index, item in enumerate(items):
        if (item.guid and item.guid in guids) or (item.link and item.link in links):
            continue  # stored before, or earlier in this same feed: counted when storing
        try:
            checked = STATEMENT.check(item.values, context)  # the size of the body too
            del checked["topics"]  # a feed's items name no topics; the rows are inserted as is
            checked["body_html"] = editing.rendered_body(checked["body"])
        except FieldErrors as error:
            prepared.skipped[index] = f"{item.values['title'][:60]!r}: {error}"
            continue
        prepared.checked[index] = checked
        guids.add(item.guid)
        links.add(item.link)
    return prepared


def _store_entries(db, feed: models.Feed, prepared: Prepared, now, report: PollReport) -> None:
    """Store the feed's new items together: the known keys and the taken slugs are read in a
    few queries, and the rows are inserted in batches, not item by item (10,000 items a poll
    must take seconds). If another poller stored some of them meanwhile, the unique
    constraints refuse the batch, and the items go one by one instead."""
    items = prepared.items
    in_feed = (models.FeedItem.feed_id == feed.id,)
    guids = _existing(db, models.FeedItem.guid, {i.guid for i in items if i.guid}, *in_feed)
    links = _existing(db, models.FeedItem.link, {i.link for i in items if i.link}, *in_feed)
    fresh: list[tuple[int, Item, dict]] = []
    for index, item in enumerate(items):
        if (item.guid and item.guid in guids) or (item.link and item.link in links):
            report.duplicates += 1  # stored before, or earlier in this same feed
            continue
        if index in prepared.skipped:
            report.skipped.append(prepared.skipped[index])
            continue
        if index not in prepared.checked:  # known when prepared: stored before
            report.duplicates += 1
            continue
        fresh.append((index, item, dict(prepared.checked[index])))  # a copy: slugs change
        guids.add(item.guid)
        links.add(item.link)
    taken = _existing(db, models.Statement.slug, {checked["slug"] for *_, checked in fresh})
    for *_, checked in fresh:
        checked["slug"] = _unique_slug(db, checked["slug"], taken)
    try:
        with db.begin_nested():
            _insert(db, feed.id, [(item, checked) for _, item, checked in fresh], now)
        report.new += len(fresh)
    except sa.exc.IntegrityError:
        _store_one_by_one(db, feed, prepared, [index for index, *_ in fresh], now, report)


def _unique_slug(db, wanted: str, taken: set[str]) -> str:
    """A derived slug made unique with -2, -3, … as editing.check_statement does; `taken` holds
    the slugs known to be used, and grows."""
    slug, number = wanted, 1
    while slug in taken or (
        number > 1
        and db.scalar(sa.select(models.Statement.id).where(models.Statement.slug == slug))
        is not None
    ):
        taken.add(slug)
        number += 1
        slug = f"{wanted[:190]}-{number}"
    taken.add(slug)
    return slug


def _insert(db, feed_id: int, fresh: list[tuple[Item, dict]], now) -> None:
    if not fresh:
        return
    db.execute(
        sa.insert(models.Statement), [{**checked, "updated_at": now} for _, checked in fresh]
    )
    # Slugs are unique: they find the new rows' ids (RETURNING keeps no order on every database).
    slugs = [checked["slug"] for _, checked in fresh]
    ids: dict[str, int] = {}
    for start in range(0, len(slugs), CHUNK):
        chunk = slugs[start : start + CHUNK]
        query = sa.select(models.Statement.slug, models.Statement.id)
        ids.update(db.execute(query.where(models.Statement.slug.in_(chunk))).all())
    db.execute(
        sa.insert(models.FeedItem),
        [
            {
                "feed_id": feed_id,
                "guid": item.guid,
                "link": item.link,
                "statement_id": ids[checked["slug"]],
                "fetched_at": now,
            }
            for item, checked in fresh
        ],
    )


def _store_one_by_one(db, feed, prepared: Prepared, indices: list[int], now, report) -> None:
    """The careful path, when another poller raced this one: each item in its own savepoint,
    a duplicate by the database's own unique constraints."""
    for index in indices:
        item = prepared.items[index]
        same = [models.FeedItem.guid == item.guid] if item.guid else []
        same += [models.FeedItem.link == item.link] if item.link else []
        seen = db.scalar(
            sa.select(models.FeedItem.id).where(models.FeedItem.feed_id == feed.id, sa.or_(*same))
        )
        if seen is not None:
            report.duplicates += 1
            continue
        checked = dict(prepared.checked[index])
        try:
            with db.begin_nested():
                taken = _existing(db, models.Statement.slug, {checked["slug"]})
                checked["slug"] = _unique_slug(db, checked["slug"], taken)
                _insert(db, feed.id, [(item, checked)], now)
        except sa.exc.IntegrityError:  # another poller stored it a moment ago
            report.duplicates += 1
            continue
        report.new += 1


def poll_feed(app: Flask, feed_id: int) -> PollReport:
    """Fetch one feed and store its new items. Never raises for a bad feed: the report and the
    feed's row say what went wrong."""
    the_store: store.Store = store.store_of(app)
    with the_store.session() as db:
        feed = db.get(models.Feed, feed_id)
        if feed is None:
            raise editing.NotFound(f"no feed with id {feed_id}")
    report = PollReport(feed_id=feed.id, url=feed.url)
    now = timecalc.utcnow()
    try:
        got = download(feed.url, feed.etag, feed.last_modified, app.config)
        if got.status == 304:
            report.not_modified = True
        else:
            result = parse(got.body, got.content_type, got.url)
            prepared = _prepare(the_store, feed, result.entries, now)
            _store_result(the_store, feed_id, result, prepared, got, now, report)
    except FeedError as error:
        report.error = str(error)
    except Exception as error:  # a feed must never take the poller down with it
        log.exception("feed %s failed", feed.url)
        report.error = f"unexpected {type(error).__name__}: {error}"
    _record(the_store, feed_id, report, now)
    metrics.count_feed_poll(
        "error" if report.error else "not_modified" if report.not_modified else "ok"
    )
    if report.new:
        the_store.changed()
    return report


STORE_ATTEMPTS = 4


def _store_result(
    the_store: store.Store, feed_id: int, result, prepared, got: Download, now, report
):
    """Store the new items in one transaction, which begins with a write to the feed's row:
    SQLite's driver opens a transaction only at a write, so a savepoint opened before one
    would commit on release; and on PostgreSQL two pollers of one feed take turns. SQLite
    refuses at once (no waiting) a writer whose transaction began as a reader while another
    one wrote: try again, and the other poller's items are then seen as duplicates."""
    for attempt in range(1, STORE_ATTEMPTS + 1):
        report.new, report.duplicates, report.skipped = 0, 0, []
        try:
            with the_store.session() as db, db.begin():
                row = db.get(models.Feed, feed_id)
                if row is None:  # deleted while it was being fetched
                    return
                row.last_polled_at = now
                db.flush()
                _store_entries(db, row, prepared, now, report)
                row.etag, row.last_modified = got.etag, got.last_modified
                if not row.title:
                    row.title = shorten(richtext.plain_text(result.feed.get("title", "")), 200)
                if report.new:
                    store.mark_changed(db)
                    # One entry a poll, not one per item: a poll may bring thousands.
                    details = {"created": report.new, "duplicates": report.duplicates}
                    audit.record(db, "feed.import", row.url, details, actor=f"feed {row.url}")
            return
        except sa.exc.OperationalError as error:
            if "locked" not in str(error).lower() or attempt == STORE_ATTEMPTS:
                raise
            time.sleep(0.1 * attempt)


def _record(the_store: store.Store, feed_id: int, report: PollReport, now) -> None:
    for attempt in range(1, STORE_ATTEMPTS + 1):
        try:
            _record_once(the_store, feed_id, report, now)
            return
        except sa.exc.OperationalError as error:
            if "locked" not in str(error).lower() or attempt == STORE_ATTEMPTS:
                log.exception("could not record the outcome of feed %s", feed_id)
                return
            time.sleep(0.1 * attempt)
        except sa.exc.SQLAlchemyError:
            log.exception("could not record the outcome of feed %s", feed_id)
            return


def _record_once(the_store: store.Store, feed_id: int, report: PollReport, now) -> None:
    with the_store.session() as db, db.begin():
        row = db.get(models.Feed, feed_id)
        if row is None:  # deleted while it was being polled
            return
        row.last_polled_at = now
        if report.error:
            row.last_error, row.last_error_at = report.error[:2000], now
            return
        row.last_success_at = now
        if report.skipped:
            note = f"{len(report.skipped)} item(s) skipped: " + "; ".join(report.skipped)
            row.last_error, row.last_error_at = note[:2000], now
        else:
            row.last_error = None
