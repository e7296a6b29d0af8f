"""snapshot(at, content): what the dashboard shows at one instant. Every view renders from it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Iterable

from dashboard.core import timecalc
from dashboard.core.captions import date_line
from dashboard.core.readings import CounterReading, read_counter
from dashboard.core.runs import RunDef
from dashboard.i18n.languages import supported


@dataclasses.dataclass(frozen=True)
class ClockDef:
    label: str  # in the site's language; also what names the clock (the embed's `clocks`)
    timezone: str
    hour12: bool = False
    # Per language: {"ru": {"label": "Москва"}}; a language without one shows `label`.
    translations: dict = dataclasses.field(default_factory=dict, hash=False, compare=False)

    def label_in(self, locale: str) -> str:
        return self.translations.get(locale, {}).get("label", self.label)


@dataclasses.dataclass(frozen=True)
class CounterDef:
    slug: str
    since: dt.date
    timezone: str
    event: str
    note: str = ""
    # Per language: {"ru": {"event": "...", "note": "..."}}; missing keys fall back.
    translations: dict = dataclasses.field(default_factory=dict, hash=False, compare=False)
    # How it reads (core/readings.py), with `calendar` (GB, RU) for working days; its
    # milestones: day counts, every multiple of `every`, and each full year (core/milestones.py).
    display: str = "days"
    calendar: str = ""
    milestones: tuple[int, ...] = ()
    every: int | None = None
    anniversaries: bool = False
    # The counter's other fields, which the snapshot passes to templates as they are.
    extra: dict = dataclasses.field(default_factory=dict, hash=False, compare=False)
    # Its earlier runs, oldest first, each ended by a reset; the current one starts at `since`.
    runs: tuple[RunDef, ...] = dataclasses.field(default=(), hash=False, compare=False)

    def text_in(self, locale: str) -> tuple[str, str]:
        translated = self.translations.get(locale, {})
        return translated.get("event", self.event), translated.get("note", self.note)


@dataclasses.dataclass(frozen=True)
class StatementItem:
    slug: str
    title: str
    summary: str
    body: str
    published: dt.datetime
    # The body rendered and sanitised when it was written: readers show it as it is.
    body_html: str = ""
    featured: bool = False
    source_url: str = ""
    language: str = ""
    expires: dt.datetime | None = None
    # When an edit marked as a correction was saved: the page says "Updated DD.MM.YYYY".
    corrected_at: dt.datetime | None = None
    translation_of: str = ""  # the original's slug, for a translation
    # The statement's other public fields, which the snapshot passes to templates as they are.
    extra: dict = dataclasses.field(default_factory=dict, hash=False, compare=False)

    def visible_at(self, at: dt.datetime) -> bool:
        """Published by `at` (a later instant means scheduled) and not yet expired."""
        return self.published <= at and (self.expires is None or at < self.expires)

    @property
    def original(self) -> str:
        """The slug its versions share: the original's."""
        return self.translation_of or self.slug


@dataclasses.dataclass(frozen=True)
class TopicDef:
    slug: str
    name: str  # in `language`, the site's
    language: str = ""
    # Per language: {"ru": {"name": "..."}}; a language without one shows `name`.
    translations: dict = dataclasses.field(default_factory=dict, hash=False, compare=False)

    def name_in(self, locale: str) -> str:
        return self.translations.get(locale, {}).get("name", self.name)

    def language_in(self, locale: str) -> str:
        """The language of name_in(locale), for its `lang`."""
        return locale if locale in self.translations else self.language or locale


@dataclasses.dataclass(frozen=True)
class SiteContent:
    """The stored content, read once per data revision, as it stood at `read_at`.

    `statements` holds those readers saw then (enough for the page's lists) and the next
    scheduled ones, newest first: snapshot() picks from them what is published at its own
    instant. `valid_until` is when that stops being enough: the first expiry, or the first
    scheduled statement beyond those held. Read again from then on."""

    revision: int
    title: str
    timezone: str
    contact: str
    locale: str
    clocks: tuple[ClockDef, ...]
    counters: tuple[CounterDef, ...]
    statements: tuple[StatementItem, ...] = ()
    latest_count: int = 10
    read_at: dt.datetime | None = None
    valid_until: dt.datetime | None = None
    # The languages statements are published in, for the archive's filter.
    languages: tuple[str, ...] = ()
    # Every declared topic, in order.
    topics: tuple[TopicDef, ...] = ()
    # The site's words per language: {"ru": {"title": "...", "contact": "..."}}.
    translations: dict = dataclasses.field(default_factory=dict, hash=False, compare=False)

    def words_in(self, locale: str) -> tuple[str, str]:
        """The title and contact line in `locale`; those it lacks in the site's language."""
        translated = self.translations.get(locale, {})
        return translated.get("title", self.title), translated.get("contact", self.contact)

    def topic(self, slug: str) -> TopicDef | None:
        return next((topic for topic in self.topics if topic.slug == slug), None)

    def is_current_at(self, at: dt.datetime) -> bool:
        """Whether the statements held tell what is published at `at`."""
        after_read = self.read_at is None or self.read_at <= at
        return after_read and (self.valid_until is None or at < self.valid_until)

    def shown_at(
        self, at: dt.datetime, locale: str = ""
    ) -> tuple[StatementItem | None, list[StatementItem]]:
        """The featured statement (the newest featured one, else the newest) and the latest,
        among those published at `at`, each in its version for `locale` where it has one."""
        visible = pick_versions(self.statements, locale or self.locale, at)
        featured = next((s for s in visible if s.featured), visible[0] if visible else None)
        latest = [s for s in visible if s is not featured][: self.latest_count]
        return featured, latest

    def statements_change(self, after: dt.datetime) -> dt.datetime | None:
        """The first instant after `after` at which a statement appears or leaves."""
        instants = [s.published for s in self.statements if s.published > after]
        instants += [s.expires for s in self.statements if s.expires and s.expires > after]
        if self.valid_until is not None and self.valid_until > after:
            instants.append(self.valid_until)
        return min(instants, default=None)


def pick_versions(
    items: Iterable[StatementItem], locale: str, at: dt.datetime
) -> list[StatementItem]:
    """Of the items visible at `at` (which hold every version of each), in their order, the
    version a reader in `locale` sees: the one in that language, else the original, else
    (the original unseen) the oldest translation; each original's once. The store's
    versions.shown_in makes the same choice in SQL."""
    visible = [item for item in items if item.visible_at(at)]
    groups: dict[str, list[StatementItem]] = {}
    for item in visible:
        groups.setdefault(item.original, []).append(item)
    chosen = {}
    for original, members in groups.items():
        local = [m for m in members if m.language == locale]
        source = [m for m in members if m.slug == original]
        chosen[original] = (local or source or members[-1:])[0]
    return [item for item in visible if chosen[item.original] is item]


@dataclasses.dataclass(frozen=True)
class DateLine:
    text: str
    timezone: str
    iso: str
    next_change: dt.datetime
    time: str  # HH:MM in the site's zone: "Last updated 18:52" once updates stop


@dataclasses.dataclass(frozen=True)
class ClockReading:
    label: str  # in the snapshot's language
    timezone: str
    time: str
    utc_offset: str
    local_iso: str
    key: str = ""  # the label in the site's language, which names the clock


@dataclasses.dataclass(frozen=True)
class DatedStatement:
    item: StatementItem
    date_text: str  # DD.MM.YYYY in the site's zone
    date_iso: str
    corrected_text: str = ""  # the day of its last correction, likewise
    corrected_iso: str = ""


@dataclasses.dataclass(frozen=True)
class Snapshot:
    # What changes with time: the instant, and the parts that follow it.
    at: dt.datetime
    minute: dt.datetime
    date: DateLine
    clocks: tuple[ClockReading, ...]
    counters: tuple[CounterReading, ...]  # CounterReading: core/readings.py
    next_change: dt.datetime  # the earliest instant at which any of them changes
    # Statements are judged at this instant: `at` itself, or, for bytes rendered ahead for a
    # coming minute, the instant they were rendered, so they hold nothing not yet published.
    statements_at: dt.datetime
    statements_change: dt.datetime | None  # the next publish or expiry after statements_at
    # What changes only with edits.
    revision: int
    locale: str
    title: str
    contact: str
    featured: DatedStatement | None
    latest: tuple[DatedStatement, ...]

    @property
    def statements_mark(self) -> str:
        """Names the statements shown, as they are: an open page whose live block brings
        another mark fetches its statements again (static/live.js)."""
        shown = [self.featured, *self.latest] if self.featured else list(self.latest)
        mark = hashlib.blake2b(digest_size=6)
        for s in shown:
            item = s.item
            for part in (item.slug, item.title, item.summary, item.body_html, s.date_text):
                mark.update(part.encode() + b"\0")
        return mark.hexdigest()

    def counter(self, slug: str) -> CounterReading | None:
        return next((counter for counter in self.counters if counter.slug == slug), None)

    def counters_next_change(self) -> dt.datetime | None:
        return min((c.next_change for c in self.counters), default=None)

    def next_change_of(
        self, clocks: Iterable[ClockReading] = (), counters: Iterable[CounterReading] = ()
    ) -> dt.datetime:
        """When a view showing only some of the parts (the embed) next changes: the next minute
        if it shows any clock, else the earliest next midnight among the counters it shows.
        With neither (statements only) it looks again when the site's date changes."""
        if tuple(clocks):
            change = timecalc.next_minute(self.at)
        else:
            change = min((c.next_change for c in counters), default=self.date.next_change)
        return min(change, self.statements_change or change)


def snapshot(
    at: dt.datetime,
    content: SiteContent,
    locale: str | None = None,
    statements_at: dt.datetime | None = None,
) -> Snapshot:
    """What the dashboard shows at `at`, in `locale` (default: the site's own language), with
    the statements published at `statements_at` (default: `at`)."""
    at = timecalc.as_utc(at)
    statements_at = timecalc.as_utc(statements_at or at)
    locale = supported(locale or content.locale)
    featured, latest = content.shown_at(statements_at, locale)
    statements_change = content.statements_change(statements_at)
    today = timecalc.local_date(at, content.timezone)
    date = DateLine(
        text=date_line(today, locale),
        timezone=content.timezone,
        iso=today.isoformat(),
        next_change=timecalc.next_date_change(at, content.timezone),
        time=timecalc.clock_text(timecalc.local(at, content.timezone)),
    )
    clocks = tuple(_read_clock(at, clock, locale) for clock in content.clocks)
    title, contact = content.words_in(locale)
    counters = tuple(read_counter(at, counter, locale) for counter in content.counters)
    changes = [date.next_change, *(c.next_change for c in counters)]
    if clocks:
        changes.append(timecalc.next_minute(at))
    if statements_change is not None:
        changes.append(statements_change)
    return Snapshot(
        at=at,
        minute=timecalc.floor_minute(at),
        title=title,
        contact=contact,
        locale=locale,
        revision=content.revision,
        date=date,
        clocks=clocks,
        counters=counters,
        featured=dated(featured, content.timezone) if featured else None,
        latest=tuple(dated(item, content.timezone) for item in latest),
        next_change=min(changes),
        statements_at=statements_at,
        statements_change=statements_change,
    )


def dated(item: StatementItem, zone_name: str) -> DatedStatement:
    day = timecalc.local_date(item.published, zone_name)
    corrected = item.corrected_at and timecalc.local_date(item.corrected_at, zone_name)
    return DatedStatement(
        item=item,
        date_text=day.strftime("%d.%m.%Y"),
        date_iso=day.isoformat(),
        corrected_text=corrected.strftime("%d.%m.%Y") if corrected else "",
        corrected_iso=corrected.isoformat() if corrected else "",
    )


def _read_clock(at: dt.datetime, clock: ClockDef, locale: str) -> ClockReading:
    local = timecalc.local(at, clock.timezone)
    return ClockReading(
        key=clock.label,
        label=clock.label_in(locale),
        timezone=clock.timezone,
        time=timecalc.clock_text(local, clock.hour12),
        utc_offset=timecalc.utc_offset_text(local),
        local_iso=local.replace(second=0, microsecond=0).isoformat(),
    )
