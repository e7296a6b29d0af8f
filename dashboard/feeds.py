"""Feeds in: RSS 2.0, RSS 1.0 and Atom 1.0 polled into statements.

The download is ours (httpx, streamed): a conditional GET with the last ETag and Last-Modified,
connect and read timeouts plus a cap on the whole download, and a size cap counted as the
bytes arrive. feedparser is only handed the bytes, never a URL, so it fetches nothing itself.
A document that declares its own entities (a DTD internal subset: the "billion laughs") is
refused before parsing; expat's own amplification limit is the second line.

Items are de-duplicated by guid, then by link, with unique constraints on (feed, guid) and
(feed, link), so two pollers at once still store an item once. Each item keeps its link as the
statement's source URL and its date as the publication date (the fetch time when it has none).
A feed that fails records why; it never stops the other feeds or the scheduler.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import logging
import re
import threading
import time
import xml.sax

import click
import feedparser
import httpx
import sqlalchemy as sa
from babel import Locale, UnknownLocaleError
from flask import Flask, current_app
from flask.cli import with_appcontext

from dashboard import editing, models, richtext, schedlock, sitefile, store, timecalc
from dashboard.sitefile import FieldErrors

log = logging.getLogger(__name__)

ACCEPT = (
    "application/atom+xml, application/rss+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1"
)
USER_AGENT = "dashboard-feeds/0.1 (a days-since dashboard polling its feeds)"
URL = re.compile(r"^https?://[^\s]+$")
INTERNAL_SUBSET = re.compile(rb"<!DOCTYPE[^>\[]*\[|<!ENTITY", re.IGNORECASE)
MAX_KEY_BYTES = 900  # longer guids and links are kept as their hash (index size limits)
SUMMARY_CHARS = 600
MIN_INTERVAL, MAX_INTERVAL = 1, 7 * 24 * 60


class FeedError(Exception):
    """Why a feed could not be read this time; shown in the admin as its last error."""


@dataclasses.dataclass
class Download:
    status: int
    body: bytes = b""
    content_type: str = ""
    url: str = ""
    etag: str | None = None
    last_modified: str | None = None


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


# -- settings of a feed -------------------------------------------------------------------------
def check_feed(values: dict) -> dict:
    """A feed's settings from the admin's form; FieldErrors names each bad field."""
    fields: dict[str, list[str]] = {}
    url = str(values.get("url", "")).strip()
    if not URL.match(url) or len(url) > 2000:
        fields.setdefault("url", []).append("must be an http:// or https:// address")
    interval = values.get("interval_minutes", 30)
    try:
        interval = int(interval)
    except (TypeError, ValueError):
        interval = None
    if interval is None or not MIN_INTERVAL <= interval <= MAX_INTERVAL:
        fields.setdefault("interval_minutes", []).append(
            f"must be a whole number of minutes from {MIN_INTERVAL} to {MAX_INTERVAL}"
        )
    language = str(values.get("language", "")).strip() or "en"
    try:
        Locale.parse(language)
    except (ValueError, UnknownLocaleError):
        fields.setdefault("language", []).append(f"{language!r} is not a known language code")
    if fields:
        raise FieldErrors(fields)
    return {
        "url": url,
        "interval_minutes": interval,
        "language": language,
        "publish": bool(values.get("publish")),
    }


def save_feed(values: dict, feed_id: int | None = None) -> models.Feed:
    checked = check_feed(values)
    the_store: store.Store = current_app.extensions["dashboard.store"]
    try:
        with the_store.session() as db, db.begin():
            taken = db.scalar(
                sa.select(models.Feed.id).where(
                    models.Feed.url == checked["url"], models.Feed.id != (feed_id or 0)
                )
            )
            if taken is not None:
                raise editing.Conflict("url", "this feed is already on the list")
            if feed_id is None:
                row = models.Feed(**checked, title="")
                db.add(row)
            else:
                row = db.get(models.Feed, feed_id)
                if row is None:
                    raise editing.NotFound(f"no feed with id {feed_id}")
                if row.url != checked["url"]:  # another address: forget the old validators
                    row.etag = row.last_modified = None
                for name, value in checked.items():
                    setattr(row, name, value)
    except sa.exc.IntegrityError:
        raise editing.Conflict("url", "this feed is already on the list") from None
    return row


def delete_feed(feed_id: int) -> None:
    """The feed goes; statements already taken from it stay."""
    the_store: store.Store = current_app.extensions["dashboard.store"]
    with the_store.session() as db, db.begin():
        row = db.get(models.Feed, feed_id)
        if row is None:
            raise editing.NotFound(f"no feed with id {feed_id}")
        db.execute(sa.delete(models.FeedItem).where(models.FeedItem.feed_id == feed_id))
        db.delete(row)


# -- download -----------------------------------------------------------------------------------
def download(url: str, etag: str | None, last_modified: str | None, config) -> Download:
    headers = {"Accept": ACCEPT, "User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    timeout = httpx.Timeout(
        connect=config["FEED_CONNECT_TIMEOUT"],
        read=config["FEED_READ_TIMEOUT"],
        write=config["FEED_READ_TIMEOUT"],
        pool=config["FEED_CONNECT_TIMEOUT"],
    )
    cap = int(config["FEED_MAX_BYTES"])
    started = time.monotonic()
    try:
        with (
            httpx.Client(timeout=timeout, follow_redirects=True, max_redirects=5) as client,
            client.stream("GET", url, headers=headers) as response,
        ):
            if response.status_code == 304:
                return Download(status=304, url=str(response.url))
            if response.status_code != 200:
                phrase = response.reason_phrase or ""
                raise FeedError(f"the server answered HTTP {response.status_code} {phrase}".strip())
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > cap:
                raise FeedError(f"the feed is {int(declared):,} bytes; the limit is {cap:,}")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > cap:
                    raise FeedError(f"the feed is larger than the limit of {cap:,} bytes")
                if time.monotonic() - started > config["FEED_TOTAL_TIMEOUT"]:
                    raise FeedError(
                        f"the download took longer than {config['FEED_TOTAL_TIMEOUT']:g} s"
                    )
                chunks.append(chunk)
            return Download(
                status=200,
                body=b"".join(chunks),
                content_type=response.headers.get("content-type", ""),
                url=str(response.url),
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
            )
    except httpx.TimeoutException as error:
        kind = "connecting" if isinstance(error, httpx.ConnectTimeout) else "waiting for data"
        raise FeedError(f"timed out {kind}") from None
    except httpx.ConnectError as error:
        raise FeedError(f"cannot connect: {error}") from None
    except httpx.TooManyRedirects:
        raise FeedError("too many redirects") from None
    except httpx.HTTPError as error:
        raise FeedError(f"{type(error).__name__}: {error}") from None


# -- parsing ------------------------------------------------------------------------------------
def _declares_entities(body: bytes) -> bool:
    head = body
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if body.startswith(bom):
            head = body.decode(codec, errors="ignore").encode("utf-8")
    return INTERNAL_SUBSET.search(head) is not None


def parse(body: bytes, content_type: str = "", url: str = ""):
    """feedparser's result for the bytes; FeedError when they are not a usable feed."""
    if not body.strip():
        raise FeedError("the server sent an empty document")
    if _declares_entities(body):
        raise FeedError("the document declares its own entities (a DTD); refused")
    headers = {"content-type": content_type or "application/xml", "content-location": url}
    result = feedparser.parse(
        io.BytesIO(body), response_headers=headers, sanitize_html=True, resolve_relative_uris=True
    )
    error = result.get("bozo_exception")
    if not result.get("version"):
        shown = content_type.split(";")[0] or "unknown type"
        raise FeedError(f"not an RSS or Atom feed ({shown})")
    if isinstance(error, xml.sax.SAXException):
        raise FeedError(f"malformed XML: {error}")
    return result


# -- storing --------------------------------------------------------------------------------------
def _key(value: str | None) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if len(value.encode("utf-8")) > MAX_KEY_BYTES:
        return "sha256:" + hashlib.sha256(value.encode("utf-8")).hexdigest()
    return value


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",.;: ") + "…"


def _entry_values(entry, feed: models.Feed, fetched_at) -> dict:
    summary_html = entry.get("summary", "") or ""
    contents = [c.get("value", "") for c in entry.get("content", []) if c.get("value")]
    full_summary = richtext.plain_text(summary_html)
    summary = _shorten(full_summary, SUMMARY_CHARS)
    if contents:
        body = contents[0]
    elif summary != full_summary or re.search(r"<(p|ul|ol|blockquote|h[2-4])\b", summary_html):
        body = summary_html
    else:
        body = ""
    # Indentation in HTML would read as Markdown code blocks: keep each line's text only.
    body = "\n".join(line.strip() for line in body.splitlines())
    title = richtext.plain_text(entry.get("title", "")) or _shorten(summary, 80) or "Untitled"
    link = (entry.get("link") or "").strip()
    published = timecalc.from_utc_struct(
        entry.get("published_parsed") or entry.get("updated_parsed")
    )
    return {
        "title": _shorten(title, 500),
        "published": published or fetched_at,
        "summary": summary,
        "body": body,
        "source_url": link if URL.match(link) else "",
        "language": feed.language,
        "featured": False,
        "draft": not feed.publish,
    }


@dataclasses.dataclass
class _Item:
    values: dict
    guid: str | None
    link: str | None


CHUNK = 500  # keys per IN (...): well under every database's limit on bound parameters


def _items(entries, feed: models.Feed, now) -> list[_Item]:
    items = []
    for entry in entries:
        values = _entry_values(entry, feed, now)
        guid = _key(entry.get("id") or entry.get("guid"))
        link = _key(entry.get("link"))
        if guid is None and link is None:  # neither: the item's own words identify it
            words = f"{values['title']}\n{values['summary']}".encode()
            guid = "sha256:" + hashlib.sha256(words).hexdigest()
        items.append(_Item(values, guid, link))
    return items


def _existing(db, column, keys: set[str], *where) -> set[str]:
    """Which of `keys` the column already holds, asked in chunks."""
    found: set[str] = set()
    ordered = sorted(keys)
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        found.update(db.scalars(sa.select(column).where(column.in_(chunk), *where)))
    return found


def _store_entries(db, feed: models.Feed, entries, now, report: PollReport) -> None:
    """Store the feed's new items together: the known keys and the taken slugs are read in a
    few queries, and the rows are inserted in batches, not item by item (10,000 items a poll
    must take seconds). If another poller stored some of them meanwhile, the unique
    constraints refuse the batch, and the items go one by one instead."""
    items = _items(entries, feed, now)
    in_feed = (models.FeedItem.feed_id == feed.id,)
    guids = _existing(db, models.FeedItem.guid, {i.guid for i in items if i.guid}, *in_feed)
    links = _existing(db, models.FeedItem.link, {i.link for i in items if i.link}, *in_feed)
    site = editing.site_settings(db)
    fresh: list[tuple[_Item, dict]] = []
    for item in items:
        if (item.guid and item.guid in guids) or (item.link and item.link in links):
            report.duplicates += 1  # stored before, or earlier in this same feed
            continue
        try:
            checked = sitefile.check_statement(item.values, site.timezone, site.locale)
        except FieldErrors as error:
            report.skipped.append(f"{item.values['title'][:60]!r}: {error}")
            continue
        fresh.append((item, checked))
        guids.add(item.guid)
        links.add(item.link)
    taken = _existing(db, models.Statement.slug, {checked["slug"] for _, checked in fresh})
    for _, checked in fresh:
        checked["slug"] = _unique_slug(db, checked["slug"], taken)
    try:
        with db.begin_nested():
            _insert(db, feed.id, fresh, now)
        report.new += len(fresh)
    except sa.exc.IntegrityError:
        _store_one_by_one(db, feed, [item for item, _ in fresh], now, report)


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


def _insert(db, feed_id: int, fresh: list[tuple[_Item, dict]], now) -> None:
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


def _store_one_by_one(db, feed: models.Feed, items: list[_Item], now, report) -> None:
    """The careful path, when another poller raced this one: each item in its own savepoint,
    a duplicate by the database's own unique constraints."""
    for item in items:
        same = [models.FeedItem.guid == item.guid] if item.guid else []
        same += [models.FeedItem.link == item.link] if item.link else []
        seen = db.scalar(
            sa.select(models.FeedItem.id).where(models.FeedItem.feed_id == feed.id, sa.or_(*same))
        )
        if seen is not None:
            report.duplicates += 1
            continue
        try:
            with db.begin_nested():
                checked = editing.check_statement(db, item.values)
                _insert(db, feed.id, [(item, checked)], now)
        except sa.exc.IntegrityError:  # another poller stored it a moment ago
            report.duplicates += 1
            continue
        except (FieldErrors, editing.Conflict) as error:
            report.skipped.append(f"{item.values['title'][:60]!r}: {error}")
            continue
        report.new += 1


def poll_feed(app: Flask, feed_id: int) -> PollReport:
    """Fetch one feed and store its new items. Never raises for a bad feed: the report and the
    feed's row say what went wrong."""
    the_store: store.Store = app.extensions["dashboard.store"]
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
            _store_result(the_store, feed_id, result, got, now, report)
    except FeedError as error:
        report.error = str(error)
    except Exception as error:  # a feed must never take the poller down with it
        log.exception("feed %s failed", feed.url)
        report.error = f"unexpected {type(error).__name__}: {error}"
    _record(the_store, feed_id, report, now)
    if report.new:
        app.extensions["dashboard.live"].invalidate()
    return report


STORE_ATTEMPTS = 4


def _store_result(the_store: store.Store, feed_id: int, result, got: Download, now, report):
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
                _store_entries(db, row, result.entries, now, report)
                row.etag, row.last_modified = got.etag, got.last_modified
                if not row.title:
                    row.title = _shorten(richtext.plain_text(result.feed.get("title", "")), 200)
                if report.new:
                    store.mark_changed(db)
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


def poll_feeds(app: Flask, only_due: bool = True) -> list[PollReport]:
    """Poll every feed (or those whose interval has passed), one after another; one failing
    feed is recorded and the next one is polled."""
    the_store: store.Store = app.extensions["dashboard.store"]
    now = timecalc.utcnow()
    with the_store.session() as db:
        feeds = db.scalars(sa.select(models.Feed).order_by(models.Feed.id)).all()
    reports = []
    for feed in feeds:
        if only_due and not timecalc.is_due(feed.last_polled_at, feed.interval_minutes * 60, now):
            continue
        try:
            reports.append(poll_feed(app, feed.id))
        except Exception:
            log.exception("polling feed %s failed", feed.url)
    return reports


def scheduled_poll(app: Flask, lock: schedlock.SchedulerLock, lost: threading.Event) -> None:
    """The scheduler's job, every minute: poll the feeds that are due."""
    if not lock.still_held():
        lost.set()
        return
    try:
        with app.app_context():
            for report in poll_feeds(app, only_due=True):
                log.info("feed %s", report.line())
    except Exception:  # the database may be down: try again next minute
        log.exception("feed polling failed")


@click.command("fetch-feeds")
@with_appcontext
def fetch_feeds_command():
    """Poll every feed once, now, whatever its interval."""
    app = current_app._get_current_object()
    store.migrate(app.extensions["dashboard.store"])
    reports = poll_feeds(app, only_due=False)
    for report in reports:
        click.echo(report.line())
    if not reports:
        click.echo("No feeds: add them at /admin/feeds.")


def init_app(app: Flask) -> None:
    app.cli.add_command(fetch_feeds_command)
