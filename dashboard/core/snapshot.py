"""snapshot(at, content): what the dashboard shows at one instant. Every view renders from it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable

from dashboard.core import timecalc
from dashboard.core.captions import counter_caption, counter_parts, date_line
from dashboard.i18n.languages import supported


@dataclasses.dataclass(frozen=True)
class ClockDef:
    label: str
    timezone: str
    hour12: bool = False


@dataclasses.dataclass(frozen=True)
class CounterDef:
    slug: str
    since: dt.date
    timezone: str
    event: str
    note: str = ""
    # Per language: {"ru": {"event": "...", "note": "..."}}; missing keys fall back.
    translations: dict = dataclasses.field(default_factory=dict, hash=False, compare=False)
    # The counter's other fields, which the snapshot passes to templates as they are.
    extra: dict = dataclasses.field(default_factory=dict, hash=False, compare=False)

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
    # The statement's other public fields, which the snapshot passes to templates as they are.
    extra: dict = dataclasses.field(default_factory=dict, hash=False, compare=False)


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
    """The stored content, read once per data revision."""

    revision: int
    title: str
    timezone: str
    contact: str
    locale: str
    clocks: tuple[ClockDef, ...]
    counters: tuple[CounterDef, ...]
    featured: StatementItem | None
    latest: tuple[StatementItem, ...]
    # The languages statements are published in, for the archive's filter.
    languages: tuple[str, ...] = ()
    # Every declared topic, in order.
    topics: tuple[TopicDef, ...] = ()

    def topic(self, slug: str) -> TopicDef | None:
        return next((topic for topic in self.topics if topic.slug == slug), None)


@dataclasses.dataclass(frozen=True)
class DateLine:
    text: str
    timezone: str
    iso: str
    next_change: dt.datetime
    time: str  # HH:MM in the site's zone: "Last updated 18:52" once updates stop


@dataclasses.dataclass(frozen=True)
class ClockReading:
    label: str
    timezone: str
    time: str
    utc_offset: str
    local_iso: str


@dataclasses.dataclass(frozen=True)
class CounterReading:
    slug: str
    since: dt.date
    timezone: str
    days: int
    text: str  # the whole caption, as a sentence
    number: str  # the caption in two parts, for templates that set the number apart:
    caption: str  # "693" and "days have passed since the Salisbury incident - note"
    event: str
    note: str
    next_change: dt.datetime
    extra: dict = dataclasses.field(default_factory=dict, hash=False, compare=False)


@dataclasses.dataclass(frozen=True)
class DatedStatement:
    item: StatementItem
    date_text: str  # DD.MM.YYYY in the site's zone
    date_iso: str


@dataclasses.dataclass(frozen=True)
class Snapshot:
    # What changes with time: the instant, and the parts that follow it.
    at: dt.datetime
    minute: dt.datetime
    date: DateLine
    clocks: tuple[ClockReading, ...]
    counters: tuple[CounterReading, ...]
    next_change: dt.datetime  # the earliest instant at which any of them changes
    # What changes only with edits.
    revision: int
    locale: str
    title: str
    contact: str
    featured: DatedStatement | None
    latest: tuple[DatedStatement, ...]

    def counters_next_change(self) -> dt.datetime | None:
        return min((c.next_change for c in self.counters), default=None)

    def next_change_of(
        self, clocks: Iterable[ClockReading] = (), counters: Iterable[CounterReading] = ()
    ) -> dt.datetime:
        """When a view showing only some of the parts (the embed) next changes: the next minute
        if it shows any clock, else the earliest next midnight among the counters it shows.
        With neither (statements only) it looks again when the site's date changes."""
        if tuple(clocks):
            return timecalc.next_minute(self.at)
        return min((c.next_change for c in counters), default=self.date.next_change)


def snapshot(at: dt.datetime, content: SiteContent, locale: str | None = None) -> Snapshot:
    """What the dashboard shows at `at`, in `locale` (default: the site's own language)."""
    at = timecalc.as_utc(at)
    locale = supported(locale or content.locale)
    today = timecalc.local_date(at, content.timezone)
    date = DateLine(
        text=date_line(today, locale),
        timezone=content.timezone,
        iso=today.isoformat(),
        next_change=timecalc.next_date_change(at, content.timezone),
        time=timecalc.clock_text(timecalc.local(at, content.timezone)),
    )
    clocks = tuple(_read_clock(at, clock) for clock in content.clocks)
    counters = tuple(_read_counter(at, counter, locale) for counter in content.counters)
    changes = [date.next_change, *(c.next_change for c in counters)]
    if clocks:
        changes.append(timecalc.next_minute(at))
    return Snapshot(
        at=at,
        minute=timecalc.floor_minute(at),
        title=content.title,
        contact=content.contact,
        locale=locale,
        revision=content.revision,
        date=date,
        clocks=clocks,
        counters=counters,
        featured=dated(content.featured, content.timezone) if content.featured else None,
        latest=tuple(dated(item, content.timezone) for item in content.latest),
        next_change=min(changes),
    )


def dated(item: StatementItem, zone_name: str) -> DatedStatement:
    day = timecalc.local_date(item.published, zone_name)
    return DatedStatement(item=item, date_text=day.strftime("%d.%m.%Y"), date_iso=day.isoformat())


def _read_clock(at: dt.datetime, clock: ClockDef) -> ClockReading:
    local = timecalc.local(at, clock.timezone)
    return ClockReading(
        label=clock.label,
        timezone=clock.timezone,
        time=timecalc.clock_text(local, clock.hour12),
        utc_offset=timecalc.utc_offset_text(local),
        local_iso=local.replace(second=0, microsecond=0).isoformat(),
    )


def _read_counter(at: dt.datetime, counter: CounterDef, locale: str) -> CounterReading:
    days = timecalc.days_since(at, counter.timezone, counter.since)
    event, note = counter.text_in(locale)
    number, caption = counter_parts(days, event, note, locale)
    return CounterReading(
        slug=counter.slug,
        since=counter.since,
        timezone=counter.timezone,
        days=days,
        text=counter_caption(days, event, note, locale),
        number=number,
        caption=caption,
        event=event,
        note=note,
        next_change=timecalc.next_date_change(at, counter.timezone),
        extra=counter.extra,
    )
