"""The checks of a site file's tables, shared by the admin's forms, the write API and feeds:
each bad value is named with its key, and every problem is reported at once."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from babel import Locale, UnknownLocaleError

from dashboard.content.schema.base import FieldErrors
from dashboard.core import timecalc
from dashboard.i18n.languages import locales

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,199}$")

SITE_KEYS = {"title", "timezone", "contact", "locale", "latest_count"}
CLOCK_KEYS = {"label", "timezone", "hour12"}
COUNTER_KEYS = {"slug", "since", "timezone", "event", "note", "translations"}
STATEMENT_KEYS = {
    "slug", "published", "title", "summary", "body", "featured", "source_url", "language",
    "draft",
}  # fmt: skip


class Checker:
    def __init__(self, text: str):
        self.lines = text.splitlines()
        self.problems: list[str] = []
        self.fields: dict[str, list[str]] = {}  # the same problems by key, for forms and JSON

    def problem(self, where: str, message: str, hint: object = None, key: str = "") -> None:
        line = self._line_of(hint)
        prefix = f"line {line}: " if line else ""
        self.problems.append(f"{prefix}{where}: {message}")
        self.fields.setdefault(key or "_", []).append(message)

    def _line_of(self, hint: object) -> int | None:
        """Best-effort line number: the first line showing the offending value."""
        if hint is None:
            return None
        needle = hint.isoformat() if isinstance(hint, dt.date) else str(hint)
        for number, line in enumerate(self.lines, start=1):
            if needle and needle in line:
                return number
        return None

    def text(self, table: dict, key: str, where: str, required: bool, default: str = "") -> str:
        if key not in table:
            if required:
                self.problem(where, f"missing required key '{key}'", key=key)
            return default
        value = table[key]
        if not isinstance(value, str):
            self.problem(
                where, f"'{key}' must be a string, not {type(value).__name__}", value, key=key
            )
            return default
        if required and not value.strip():
            self.problem(where, f"'{key}' must not be empty", f"{key} =", key=key)
        return value.strip() if key in {"slug", "label", "timezone"} else value

    def boolean(self, table: dict, key: str, where: str) -> bool:
        value = table.get(key, False)
        if not isinstance(value, bool):
            self.problem(where, f"'{key}' must be true or false", f"{key} =", key=key)
            return False
        return value

    def zone(self, name: str, where: str, key: str = "timezone") -> None:
        if name and not timecalc.is_known_zone(name):
            self.problem(where, f"{key} {name!r} is not a known IANA time zone", name, key=key)

    def unknown_keys(self, table: dict, allowed: set[str], where: str) -> None:
        for key in sorted(set(table) - allowed):
            self.problem(
                where,
                f"unknown key '{key}' (allowed: {', '.join(sorted(allowed))})",
                f"{key}",
                key=key,
            )

    def slug(self, value: str, where: str) -> None:
        if value and not SLUG.match(value):
            self.problem(
                where,
                f"slug {value!r} must be lower-case letters, digits and hyphens",
                value,
                key="slug",
            )


def slugify(title: str, day: dt.date) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return f"{words[:80].rstrip('-') or 'statement'}-{day.isoformat()}"


def site_table(check: Checker, site: dict) -> dict:
    check.unknown_keys(site, SITE_KEYS, "[site]")
    title = check.text(site, "title", "[site]", required=True)
    zone_name = check.text(site, "timezone", "[site]", required=True)
    check.zone(zone_name, "[site]")
    contact = check.text(site, "contact", "[site]", required=False)
    locale = check.text(site, "locale", "[site]", required=False, default="en") or "en"
    if locale not in locales():
        check.problem(
            "[site]",
            f"locale {locale!r} is not supported ({', '.join(locales())})",
            locale,
            key="locale",
        )
    latest_count = site.get("latest_count", 10)
    if not isinstance(latest_count, int) or isinstance(latest_count, bool) or latest_count < 0:
        check.problem(
            "[site]",
            "'latest_count' must be a whole number, 0 or more",
            latest_count,
            key="latest_count",
        )
        latest_count = 10
    return {
        "title": title,
        "timezone": zone_name,
        "contact": contact,
        "locale": locale,
        "latest_count": latest_count,
    }


def array(check: Checker, data: dict, key: str):
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
        check.problem("top level", f"'{key}' must be an array of tables ([[{key}]])", f"{key}")
        return []
    return list(enumerate(value, start=1))


def clock_table(check: Checker, table: dict, number: int) -> dict:
    where = f"clocks[{number}]"
    check.unknown_keys(table, CLOCK_KEYS, where)
    label = check.text(table, "label", where, required=True)
    zone_name = check.text(table, "timezone", where, required=True)
    check.zone(zone_name, f"{where} ({label!r})")
    return {"label": label, "timezone": zone_name, "hour12": check.boolean(table, "hour12", where)}


def counter_table(check: Checker, table: dict, number: int, site_zone: str) -> dict:
    where = f"counters[{number}]"
    check.unknown_keys(table, COUNTER_KEYS, where)
    slug = check.text(table, "slug", where, required=True)
    check.slug(slug, where)
    where = f"{where} ({slug!r})" if slug else where
    since = table.get("since")
    if since is None:
        check.problem(
            where, "missing required key 'since' (a date such as 2018-03-04)", key="since"
        )
    elif isinstance(since, dt.datetime) or not isinstance(since, dt.date):
        check.problem(
            where, "'since' must be a calendar date such as 2018-03-04", since, key="since"
        )
        since = None
    zone_name = check.text(table, "timezone", where, required=False)
    check.zone(zone_name, where)
    return {
        "slug": slug,
        "since": since,
        "timezone": zone_name or None,
        "event": check.text(table, "event", where, required=True),
        "note": check.text(table, "note", where, required=False),
        "translations": translations_table(check, table.get("translations", {}), where),
        "_zone": zone_name or site_zone,
    }


def translations_table(check: Checker, value: object, where: str) -> dict:
    """[counters.translations.ru] event = "…", note = "…" """
    if not isinstance(value, dict):
        check.problem(
            where, "'translations' must be a table of languages", "translations", key="translations"
        )
        return {}
    found = {}
    for language, texts in value.items():
        here = f"{where}.translations.{language}"
        if language not in locales():
            check.problem(
                here,
                f"language {language!r} is not supported ({', '.join(locales())})",
                key="translations",
            )
            continue
        if not isinstance(texts, dict):
            check.problem(
                here, "must be a table with 'event' and optionally 'note'", key="translations"
            )
            continue
        check.unknown_keys(texts, {"event", "note"}, here)
        found[language] = {
            key: check.text(texts, key, here, required=key == "event")
            for key in ("event", "note")
            if key in texts or key == "event"
        }
    return found


def statement_table(
    check: Checker, table: dict, number: int, site_zone: str, site_locale: str
) -> dict:
    where = f"statements[{number}]"
    check.unknown_keys(table, STATEMENT_KEYS, where)
    title = check.text(table, "title", where, required=True)
    published = table.get("published")
    instant = None
    if published is None:
        check.problem(
            where,
            "missing required key 'published' (a date or RFC 3339 date-time)",
            key="published",
        )
    elif isinstance(published, dt.datetime):
        if published.tzinfo is None:
            check.problem(
                where,
                "'published' needs a UTC offset, e.g. 'Z' or '+03:00'",
                published,
                key="published",
            )
        else:
            instant = timecalc.as_utc(published)
    elif isinstance(published, dt.date):
        if timecalc.is_known_zone(site_zone):
            instant = timecalc.local_midnight(published, site_zone)
    else:
        check.problem(
            where,
            "'published' must be a date or an RFC 3339 date-time",
            published,
            key="published",
        )
    slug = check.text(table, "slug", where, required=False)
    if not slug and title and instant is not None:
        slug = slugify(title, timecalc.local_date(instant, site_zone))
    check.slug(slug, where)
    language = check.text(table, "language", where, required=False) or site_locale
    try:
        Locale.parse(language)
    except (ValueError, UnknownLocaleError):
        check.problem(
            where, f"language {language!r} is not a known language code", language, key="language"
        )
    source_url = check.text(table, "source_url", where, required=False)
    if source_url and not re.match(r"^https?://[^\s]+$", source_url):
        check.problem(
            where,
            "'source_url' must be an http:// or https:// address",
            source_url,
            key="source_url",
        )
    return {
        "slug": slug,
        "published": instant,
        "title": title,
        "summary": check.text(table, "summary", where, required=False),
        "body": check.text(table, "body", where, required=False),
        "featured": check.boolean(table, "featured", where),
        "source_url": source_url,
        "language": language,
        "draft": check.boolean(table, "draft", where),
    }


def duplicates(check: Checker, rows: list[dict], kind: str, key: str) -> None:
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=1):
        value = row.get(key)
        if not value:
            continue
        if value in seen:
            check.problem(
                f"{kind}[{number}]",
                f"duplicate {key} {value!r} (first used by {kind}[{seen[value]}])",
                value,
            )
        else:
            seen[value] = number


def checked(check: Checker, values: dict) -> dict:
    if check.problems:
        raise FieldErrors(check.fields)
    return values


def check_site(values: dict) -> dict:
    """The [site] table's checks; raises FieldErrors naming each bad key."""
    check = Checker("")
    return checked(check, site_table(check, values))


def check_clock(values: dict) -> dict:
    check = Checker("")
    return checked(check, clock_table(check, values, 1))


def check_counter(values: dict, site_zone: str) -> dict:
    check = Checker("")
    found = counter_table(check, values, 1, site_zone)
    return checked(check, {k: v for k, v in found.items() if not k.startswith("_")})


def check_statement(values: dict, site_zone: str, site_locale: str) -> dict:
    """`published` may be an aware datetime or a date (midnight in the site's zone)."""
    check = Checker("")
    return checked(check, statement_table(check, values, 1, site_zone, site_locale))
