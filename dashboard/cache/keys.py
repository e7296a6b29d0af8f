"""Every cache key, made here: the per-process memory and the scheduler's warmed rows share
them, so a view and the warmer must spell a key the same way. A key names what was rendered
and every input that changes its bytes; the minute is kept beside it."""

from __future__ import annotations


def page(locale: str) -> str:
    return f"page:{locale}"


def live_block(locale: str) -> str:
    return f"live:{locale}"


def archive(locale: str, listing: str, per_page: int, fragment: bool) -> str:
    # `listing` (web/listing.py's Wanted.key) names the search, filters and cursor.
    return f"archive:{'results' if fragment else 'page'}:{locale}:{per_page}:{listing}"


def topic(locale: str, slug: str, before: str, per_page: int) -> str:
    return f"topic:{locale}:{slug}:{before}:{per_page}"


def statement(locale: str, slug: str) -> str:
    return f"statement:{locale}:{slug}"


def snapshot_json(locale: str) -> str:
    return f"snapshot.json:{locale}"


def api_statements(limit: int, listing: str) -> str:
    return f"api.statements:{limit}:{listing}"


def api_statement(slug: str) -> str:
    return f"api.statement:{slug}"


def api_counters(locale: str) -> str:
    return f"api.counters:{locale}"


def api_counter(slug: str, locale: str) -> str:
    return f"api.counter:{slug}:{locale}"


def counter_page(locale: str, slug: str) -> str:
    return f"counter:{locale}:{slug}"


def counter_live(locale: str, slug: str) -> str:
    return f"counter.live:{locale}:{slug}"


def atom(host_url: str, asked_locale: str, topic: str = "") -> str:
    # Absolute links depend on the host asked for, so the bytes are kept per host.
    return f"atom:{asked_locale}:{topic}:{host_url}"


def embed(query_string: str, fragment: bool) -> str:
    return f"embed:{'live' if fragment else 'page'}:{query_string}"


def builder(locale: str, query_string: str) -> str:
    return f"builder:{locale}:{query_string}"


def badge(kind: str, slug: str, style: str, locale: str, label: str | None) -> str:
    # No label and the label "None" must not share bytes.
    shown = "-" if label is None else "=" + label
    return f"badge.{kind}:{slug}:{style}:{locale}:{shown}"


def sitemap(number: int) -> str:
    """0: /sitemap.xml (a urlset, or past the limit an index); n: /sitemap-n.xml."""
    return f"sitemap:{number}"


def robots() -> str:
    return "robots"


def board(query_string: str, fragment: bool) -> str:
    return f"board:{'live' if fragment else 'page'}:{query_string}"


def card(kind: str, slug: str, locale: str) -> str:
    """A share card: kind is "counter" or "statement"."""
    return f"card.{kind}:{slug}:{locale}"
