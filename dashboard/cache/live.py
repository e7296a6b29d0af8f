"""Rendered bytes per minute: warmed by the scheduler, shared through the store, kept in memory.

A request looks in this process's memory, then for bytes the scheduler warmed for this minute,
and only renders itself when neither has them (no scheduler running, or just after an edit).
The bytes hold a placeholder for the htmx delay, filled in per request, so one rendering serves
a whole minute and every reader still asks again right at the boundary.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import datetime as dt
import hashlib
import logging
import math
import re
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future

import sqlalchemy as sa
from flask import Flask, current_app, has_request_context

from dashboard import config, metrics
from dashboard.content import models, store
from dashboard.core import timecalc
from dashboard.core.snapshot import SiteContent, Snapshot, snapshot

EXTENSION = "dashboard.live"

log = logging.getLogger(__name__)

DELAY_MARK = b"__NEXT_DELAY_MS__"
NEXT_CHANGE_MARK = b"__NEXT_CHANGE_MS__"  # filled at render time: Unix ms of the next change
# Also filled per request: whole seconds to the change for <meta http-equiv="refresh"> (rounded
# up with the same margin, so a reload lands after it), the seconds a cache may keep the bytes
# (rounded down, as max-age), and this request's origin for the few absolute URLs (oEmbed,
# snippets to copy) that bytes warmed outside any request cannot know.
REFRESH_MARK = b"__NEXT_REFRESH_S__"
MAX_AGE_MARK = b"__MAX_AGE_S__"
ORIGIN_MARK = b"__ORIGIN__"
SAFE_ORIGIN = re.compile(r"https?://[A-Za-z0-9.:\[\]-]+")

# A view turns a snapshot into text (or an image's bytes) and says when that next changes.
View = Callable[[Snapshot], tuple[str | bytes, dt.datetime]]
# The views the scheduler warms, named from the content and the languages (a badge per counter
# and language, say): (key, view, locale) each.
Family = Callable[[SiteContent], Iterable[tuple[str, View, str]]]


@dataclasses.dataclass(frozen=True)
class Rendered:
    body: bytes
    etag: str
    next_change: dt.datetime
    minute: dt.datetime
    # The instant its statements were judged at: the bytes hold from then until next_change,
    # so no copy outlives a scheduled statement's instant, or shows one before it.
    valid_from: dt.datetime

    def holds_at(self, at: dt.datetime) -> bool:
        return self.valid_from <= at < self.next_change


class StoreUnavailable(RuntimeError):
    """No content could be read and none was read before."""


def etag_for(body: bytes) -> str:
    """Weak: responses differ in the per-request delay, yet are the same content."""
    return 'W/"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


class LivePages:
    def __init__(self, app: Flask):
        self.app = app
        self.families: list[Family] = []
        self._memory: collections.OrderedDict[tuple[str, dt.datetime], Rendered] = (
            collections.OrderedDict()
        )
        self._lock = threading.Lock()
        # Renders under way, by (key, minute): concurrent misses wait for the one rendering.
        self._flights: dict[tuple[str, dt.datetime], Future] = {}
        self._generation = 0  # bumped by invalidate(): bytes rendered before are not kept
        self._content: SiteContent | None = None
        self._content_checked: dt.datetime | None = None

    def register_family(self, family: Family) -> None:
        """Views the scheduler warms: requests for them find bytes ready."""
        self.families.append(family)

    # -- content -------------------------------------------------------------------------
    def content(self, at: dt.datetime) -> SiteContent:
        """The stored content, re-read when its revision changed or a statement's instant came;
        checked once a minute at most unless invalidated, and kept when the store is briefly
        unreachable."""
        checked = self.checked_content(at)
        if checked is not None:
            return checked
        minute = timecalc.floor_minute(at)
        cached = self._content
        current = cached is not None and cached.is_current_at(at)
        the_store: store.Store = store.store_of(self.app)
        try:
            with the_store.session() as session:
                if current and store.current_revision(session) == cached.revision:
                    fresh = cached
                else:
                    fresh = store.read_content(session, at)
        except store.NotInitialised:
            raise
        except sa.exc.SQLAlchemyError as error:
            if cached is None:
                _explain_schema(the_store)
                raise StoreUnavailable(str(error)) from error
            log.warning("store unreachable, showing the last good content: %s", error)
            return cached
        if cached is not None and fresh.revision != cached.revision:
            self._forget_rendered()  # an edit in another process: its bytes, ahead ones too
        self._content, self._content_checked = fresh, minute
        return fresh

    def checked_content(self, at: dt.datetime) -> SiteContent | None:
        """The content as content(at) gives it without asking the store (checked this minute
        and still current), else None. The WSGI fast path asks nothing of the store."""
        cached = self._content
        if cached is None or self._content_checked != timecalc.floor_minute(at):
            return None
        return cached if cached.is_current_at(at) else None

    def snapshot(self, at: dt.datetime, locale: str | None = None) -> Snapshot:
        at = timecalc.as_utc(at)
        return snapshot(at, self.content(at), locale)

    def recheck(self) -> None:
        """The next content() asks the store for its revision, whenever it last did."""
        self._content_checked = None

    def invalidate(self) -> None:
        """After a write in this process: its readers see the change at once."""
        self._forget_rendered()
        self._content = None
        self._content_checked = None

    def _forget_rendered(self) -> None:
        with self._lock:
            self._memory.clear()
            self._flights.clear()  # renders under way keep their waiters, not their bytes
            self._generation += 1
        metrics.set_cache_entries(0)

    # -- rendering -------------------------------------------------------------------------
    def render(
        self,
        at: dt.datetime,
        view: View,
        content: SiteContent | None = None,
        locale: str | None = None,
        minute: dt.datetime | None = None,
    ) -> Rendered:
        """The view at `minute` (default: `at`'s), with the statements published at `at`: a
        coming minute rendered ahead holds nothing that is not yet published."""
        at = timecalc.as_utc(at)
        minute = minute or timecalc.floor_minute(at)
        shot = snapshot(minute, content or self.content(at), locale, statements_at=at)
        if has_request_context():
            text, next_change = view(shot)
        else:  # the scheduler renders ahead, outside any request; links stay relative
            with self.app.test_request_context("/"):
                text, next_change = view(shot)
        if isinstance(text, bytes):  # an image: kept as drawn, it holds no marks
            body = text
        else:  # the instant of the next change is the same for every reader: written in here
            body = text.encode("utf-8").replace(
                NEXT_CHANGE_MARK, str(timecalc.epoch_millis(next_change)).encode()
            )
        return Rendered(
            body=body, etag=etag_for(body), next_change=next_change, minute=minute, valid_from=at
        )

    def get(
        self,
        key: str,
        at: dt.datetime,
        view: View,
        locale: str | None = None,
        minute: dt.datetime | None = None,
    ) -> Rendered:
        """Bytes for `key` at `minute` (default: `at`'s), holding the statements published at
        `at`: from this process's memory, else warmed by the scheduler, else rendered here
        with `view` (archive pages, statements, embeds with unusual parts, or just after an
        edit), and kept. A coming minute is a live block fetched ahead (web/ahead.py)."""
        at = timecalc.as_utc(at)
        current = timecalc.floor_minute(at)
        minute = minute or current
        found = self.in_memory(key, at, minute)
        if found is not None:
            return found
        with self._lock:
            flight = self._flights.get((key, minute))
            leader = flight is None
            if leader:
                flight = self._flights[(key, minute)] = Future()
                generation = self._generation
        if not leader:  # another request is rendering these bytes: wait for them
            metrics.count_cache_lookup("waited")
            return flight.result()
        try:
            found = self._warmed(key, at, minute)
            if found is None:
                found = self.render(at, view, locale=locale, minute=minute)
                metrics.count_cache_lookup("rendered")
            else:
                metrics.count_cache_lookup("warmed")
        except BaseException as error:  # the waiters get the error, never a hang
            self._land(key, minute, current, flight, generation)
            flight.set_exception(error)
            raise
        self._land(key, minute, current, flight, generation, found)
        flight.set_result(found)
        return found

    def in_memory(
        self, key: str, at: dt.datetime, minute: dt.datetime | None = None
    ) -> Rendered | None:
        """This process's bytes for `key` that hold at `at` (never past their next_change),
        or None. `at` is UTC."""
        minute = minute or timecalc.floor_minute(at)
        found = self._memory.get((key, minute))
        if found is None or not found.holds_at(at):
            return None
        # Least recently used goes first: a crawler walking archive cursors must not push
        # out the page everyone is reading.
        with self._lock, contextlib.suppress(KeyError):  # it may just have been dropped
            self._memory.move_to_end((key, minute))
        metrics.count_cache_lookup("memory")  # whether Flask or the fast path asked
        return found

    def _land(self, key, minute, current, flight: Future, generation: int, found=None) -> None:
        """A render is over: keep its bytes (unless an edit came meanwhile), end its flight,
        and drop what was kept for minutes before `current`."""
        with self._lock:
            if self._flights.get((key, minute)) is flight:
                del self._flights[(key, minute)]
            if found is None or generation != self._generation:
                return
            self._memory[(key, minute)] = found
            while len(self._memory) > config.MEMORY_ENTRIES:
                self._memory.popitem(last=False)
            for stale in [k for k in self._memory if k[1] < current]:
                del self._memory[stale]
            metrics.set_cache_entries(len(self._memory))

    def _warmed(
        self, key: str, at: dt.datetime, minute: dt.datetime | None = None
    ) -> Rendered | None:
        the_store: store.Store = store.store_of(self.app)
        try:
            with the_store.session() as session:
                row = store.rendered_bytes(session, key, at, minute)
        except sa.exc.SQLAlchemyError as error:
            log.warning("cannot read warmed bytes for %s: %s", key, error)
            return None
        if row is None:
            return None
        return Rendered(
            body=row.body,
            etag=row.etag,
            next_change=row.next_change,
            minute=row.minute,
            valid_from=row.valid_from,
        )

    def warm(self, at: dt.datetime) -> int:
        """Render the hot views for this minute and the next into the store (the scheduler's
        job, each minute and at each statement's instant), so web processes find bytes ready.
        Both hold the statements published at `at`. Returns rows written."""
        the_store: store.Store = store.store_of(self.app)
        at = timecalc.as_utc(at)
        self._content_checked = None  # always look for edits made by other processes
        minute = timecalc.floor_minute(at)
        content = self.content(at)
        hot = [entry for family in self.families for entry in family(content)]
        rows = [
            (key, self.render(at, view, content=content, locale=locale, minute=when))
            for when in (minute, minute + timecalc.MINUTE)
            for key, view, locale in hot
        ]
        revision = content.revision
        with the_store.session() as session, session.begin():
            for key, rendered in rows:
                session.merge(
                    models.Rendered(
                        key=key,
                        minute=rendered.minute,
                        revision=revision,
                        valid_from=rendered.valid_from,
                        etag=rendered.etag,
                        next_change=rendered.next_change,
                        body=rendered.body,
                    )
                )
            session.execute(sa.delete(models.Rendered).where(models.Rendered.minute < minute))
        return len(rows)


def _explain_schema(the_store: store.Store) -> None:
    """An old schema looks like a broken query; say what to do instead."""
    try:
        current = store.schema_is_current(the_store)
    except sa.exc.SQLAlchemyError:
        return  # really unreachable
    if not current:
        raise store.NotInitialised(
            "the database schema is older than this version: run `dashboard migrate`"
        )


def pages_of(app: Flask) -> LivePages:
    return app.extensions[EXTENSION]


def live_pages() -> LivePages:
    return pages_of(current_app)


MARKS = re.compile(b"(" + b"|".join([DELAY_MARK, REFRESH_MARK, MAX_AGE_MARK, ORIGIN_MARK]) + b")")


_CUT: dict[bytes, tuple[bytes, ...]] = {}  # the hot pages' pieces; others are cut again
CUT_KEPT = 128


def _pieces(body: bytes) -> tuple[bytes, ...]:
    """The body cut at its marks: text, mark, text, mark, …, text (one piece: no marks). Kept
    per body (bytes keep their hash, so a lookup costs no pass over them): filling is then one
    join, and a body seen before is not even searched for marks."""
    found = _CUT.get(body)
    if found is None:
        found = tuple(MARKS.split(body)) if b"__" in body else (body,)
        if len(_CUT) >= CUT_KEPT:
            _CUT.clear()  # rare: more distinct bodies than hot pages
        _CUT[body] = found
    return found


def fill_delay(
    body: bytes, next_change: dt.datetime, now: dt.datetime, origin: str | Callable[[], str] = ""
) -> bytes:
    """The htmx delay from this request's instant to the content's next change, plus a small
    margin so that the next request lands after the boundary, never just before it (and the
    other per-request marks above, when the bytes hold them). One join, one copy of the body:
    this runs on every request. `origin` may be a function, called only when the bytes ask."""
    pieces = _pieces(body)
    if len(pieces) == 1:
        return body
    seconds = timecalc.seconds_until(next_change, now)
    millis = max(int(seconds * 1000) + 100, 200)
    values = {
        DELAY_MARK: str(millis).encode(),
        REFRESH_MARK: str(math.ceil(millis / 1000)).encode(),
        MAX_AGE_MARK: str(timecalc.whole_seconds_left(next_change, now)).encode(),
    }
    if ORIGIN_MARK in pieces[1::2]:  # the origin, asked for once
        asked = origin() if callable(origin) else origin
        # An odd Host header gets relative URLs rather than markup of its choosing.
        values[ORIGIN_MARK] = asked.encode() if SAFE_ORIGIN.fullmatch(asked) else b""
    filled = list(pieces)
    filled[1::2] = [values[mark] for mark in pieces[1::2]]
    return b"".join(filled)
