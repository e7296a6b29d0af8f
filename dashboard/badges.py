"""Badges for a counter: a shields-style SVG (/badge/<slug>.svg) and shields.io's endpoint JSON
(/badge/<slug>.json). Both are cached per minute and expire at the counter's next local
midnight, which the snapshot gives; nothing here does time arithmetic.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import unicodedata

from flask import Blueprint, Flask, Response, abort, request
from markupsafe import Markup

from dashboard import timecalc
from dashboard.captions import LOCALES, plural
from dashboard.live import MAX_AGE_MARK, live_pages
from dashboard.responses import cached_response
from dashboard.snapshot import CounterReading, SiteContent, Snapshot

bp = Blueprint("badges", __name__)

STYLES = ("flat", "flat-square", "for-the-badge")
COLOR = "8b1a1a"  # the dashboard's accent
GREY = "9f9f9f"  # shields' lightgrey, for "unknown counter" and other errors
MAX_LABEL = 60
LABEL_SHORTEN_AT = 32  # a default label longer than this is cut at a word
# Days as a badge's message, by CLDR plural category.
DAYS = {
    "en": {
        "since": {"one": "{n} day", "other": "{n} days"},
        "until": {"one": "in {n} day", "other": "in {n} days"},
    },
    "ru": {
        "since": {"one": "{n} день", "few": "{n} дня", "many": "{n} дней", "other": "{n} дня"},
        "until": {"one": "{n} день", "few": "{n} дня", "many": "{n} дней", "other": "{n} дня"},
    },
}
# The event text follows "since"/"until" in a caption; on its own as a label, Russian needs
# the preposition back (the text is in the genitive), English loses its article.
LABEL_PREFIX = {"ru": {"since": "с ", "until": "до "}}
SMALL_WORDS = {
    "en": {"a", "an", "and", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to"},
    "ru": {"в", "во", "и", "к", "на", "о", "об", "от", "по", "с", "со", "у", "из", "за", "до"},
}

# Advance widths in px at 11 px, measured from DejaVu Sans (Verdana's metric twin, and what
# "Verdana,Geneva,DejaVu Sans" renders as where there is no Verdana), for U+0020-U+007E and
# U+0410-U+044F. textLength makes any font fill exactly the estimated width.
_ASCII = (
    "3.5 4.4 5.1 9.2 7 10.5 8.6 3 4.3 4.3 5.5 9.2 3.5 4 3.5 3.7 7 7 7 7 7 7 7 7 7 7 3.7 3.7 9.2 "
    "9.2 9.2 5.8 11 7.5 7.5 7.7 8.5 7 6.3 8.5 8.3 3.2 3.2 7.2 6.1 9.5 8.2 8.7 6.6 8.7 7.6 7 6.7 "
    "8.1 7.5 10.9 7.5 6.7 7.5 4.3 3.7 4.3 9.2 5.5 5.5 6.7 7 6 7 6.8 3.9 7 7 3.1 3.1 6.4 3.1 10.7 "
    "7 6.7 7 7 4.5 5.7 4.3 7 6.5 9 6.5 6.5 5.8 7 3.7 7 9.2"
)
_CYRILLIC = (
    "7.5 7.5 7.5 6.7 8.6 7 11.8 7.1 8.2 8.2 7.8 8.3 9.5 8.3 8.7 8.3 6.6 7.7 6.7 6.7 9.5 7.5 8.5 "
    "7.5 11.8 12 9.2 9.7 7.5 7.7 11.9 7.6 6.7 6.8 6.5 5.8 7.6 6.8 9.9 5.8 7.1 7.1 6.6 7 8.3 7.2 "
    "6.7 7.2 7 6 6.4 6.5 9.4 6.5 7.5 6.5 10.1 10.4 7.8 8.7 6.5 6 9.3 6.6"
)
WIDTHS: dict[str, float] = {
    **{chr(0x20 + i): float(w) for i, w in enumerate(_ASCII.split())},
    **{chr(0x410 + i): float(w) for i, w in enumerate(_CYRILLIC.split())},
    "ё": 6.8, "Ё": 7.0, "…": 11.0, "№": 11.4, "–": 5.5, "—": 11.0, "’": 3.5, "\u00a0": 3.5,
    "\u202f": 2.5,
}  # fmt: skip
FALLBACK_WIDTH = 7.5  # roughly an average letter
WIDE_WIDTH = 11.0  # CJK and other full-width characters
# Characters XML 1.0 cannot carry at all, even escaped.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def text_width(text: str, size: float = 11.0) -> float:
    """Estimated width in px of `text` in Verdana at `size` px."""
    total = 0.0
    for char in text:
        width = WIDTHS.get(char)
        if width is None:
            wide = unicodedata.east_asian_width(char) in ("W", "F")
            width = WIDE_WIDTH if wide else FALLBACK_WIDTH
        total += width
    return total * size / 11.0


@dataclasses.dataclass(frozen=True)
class BadgeQuery:
    label: str | None
    style: str
    locale: str


class BadParameter(ValueError):
    pass


def parse_query(args, site_locale: str) -> BadgeQuery:
    style = args.get("style", "flat") or "flat"
    if style not in STYLES:
        raise BadParameter(f"'style' must be one of {', '.join(STYLES)}, not {style!r}")
    locale = args.get("lang") or site_locale or LOCALES[0]
    if locale not in LOCALES:
        raise BadParameter(f"'lang' must be one of {', '.join(LOCALES)}, not {locale!r}")
    label = args.get("label")
    if label is not None:
        label = " ".join(NOT_XML.sub("", label).split())
        if len(label) > MAX_LABEL:
            raise BadParameter(f"'label' may have at most {MAX_LABEL} characters")
    return BadgeQuery(label=label, style=style, locale=locale)


def _direction(counter: CounterReading) -> str:
    return "until" if counter.days < 0 else "since"


def days_message(counter: CounterReading, locale: str) -> str:
    return plural(DAYS[locale][_direction(counter)], abs(counter.days), locale)


def default_label(counter: CounterReading, locale: str) -> str:
    """The event, as a label: "the Salisbury incident" -> "Salisbury incident"; a long one is
    cut at a word, leaving no dangling "of" or "on"."""
    event = " ".join(counter.event.split())
    if locale == "en" and event.lower().startswith("the "):
        event = event[4:]
    event = LABEL_PREFIX.get(locale, {}).get(_direction(counter), "") + event
    if len(event) > LABEL_SHORTEN_AT:
        words = event[: LABEL_SHORTEN_AT + 1].split(" ")[:-1] or [event[:LABEL_SHORTEN_AT]]
        small = SMALL_WORDS.get(locale, set())
        while len(words) > 1 and words[-1].lower().strip(",;:-") in small:
            words.pop()
        event = " ".join(words).rstrip(",;:- ") + "…"
    return event[:1].upper() + event[1:]


def svg(label: str, message: str, color: str, style: str, title: str = "") -> str:
    """A shields-like badge; every text is escaped, widths are estimated (textLength fits).
    An empty label gives a badge of one part."""
    big = style == "for-the-badge"
    if big:
        label, message = label.upper(), message.upper()
    size, pad, height = (10.0, 12, 28) if big else (11.0, 6, 20)
    spacing = 1.25 if big else 0.0
    label_text = text_width(label, size) * (1.07 if big else 1) + spacing * len(label)
    message_text = text_width(message, size) * (1.07 if big else 1) + spacing * len(message)
    label_w = round(label_text + 2 * pad) if label else 0
    message_w = round(message_text + 2 * pad)
    width = label_w + message_w
    title = title or (f"{label}: {message}" if label else message)

    def text(content: str, left: int, box: int, length: float, bold: bool) -> Markup:
        x, length10 = round((left + box / 2) * 10), round(length * 10)
        y = 175 if big else 140
        weight = Markup(' font-weight="bold"') if bold else ""
        shadow = Markup("")
        if style == "flat":
            shadow = Markup(
                '<text aria-hidden="true" x="{}" y="150" fill="#010101" fill-opacity=".3" '
                'transform="scale(.1)" textLength="{}">{}</text>'
            ).format(x, length10, content)
        return shadow + Markup(
            '<text x="{}" y="{}" transform="scale(.1)" fill="#fff" textLength="{}"{}>{}</text>'
        ).format(x, y, length10, weight, content)

    parts = [
        Markup(
            '<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" role="img" '
            'aria-label="{}"><title>{}</title>'
        ).format(width, height, title, title)
    ]
    if style == "flat":
        parts.append(
            Markup(
                '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" '
                'stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>'
                '<clipPath id="r"><rect width="{}" height="{}" rx="3" fill="#fff"/></clipPath>'
                '<g clip-path="url(#r)">'
            ).format(width, height)
        )
    else:
        parts.append(Markup('<g shape-rendering="crispEdges">'))
    if label:
        parts.append(Markup('<rect width="{}" height="{}" fill="#555"/>').format(label_w, height))
    parts.append(
        Markup('<rect x="{}" width="{}" height="{}" fill="#{}"/>').format(
            label_w, message_w, height, color
        )
    )
    if style == "flat":
        parts.append(Markup('<rect width="{}" height="{}" fill="url(#s)"/>').format(width, height))
    parts.append(
        Markup(
            '</g><g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,'
            'sans-serif" text-rendering="geometricPrecision" font-size="{}">'
        ).format(round(size * 10))
    )
    if label:
        parts.append(text(label, 0, label_w, label_text, bold=False))
    parts.append(text(message, label_w, message_w, message_text, bold=big))
    parts.append(Markup("</g></svg>"))
    return str(Markup("").join(parts)) + "\n"


def endpoint_json(label: str, message: str, color: str, cache_seconds: str | None) -> str:
    """shields.io's endpoint schema; cacheSeconds is a mark filled in per request."""
    data: dict = {"schemaVersion": 1, "label": label, "message": message, "color": color}
    if cache_seconds is None:
        data["isError"] = True
        return json.dumps(data, ensure_ascii=False)
    data["cacheSeconds"] = cache_seconds
    # The mark must stand as a bare number once filled; a quote in a label is escaped, so only
    # this value can match.
    text = json.dumps(data, ensure_ascii=False)
    return text.replace(f'"{cache_seconds}"', cache_seconds)


def badge_key(slug: str, kind: str, query: BadgeQuery) -> str:
    # No label and the label "None" must not share bytes.
    label = "-" if query.label is None else "=" + query.label
    return f"badge.{kind}:{slug}:{query.style}:{query.locale}:{label}"


def badge_view(slug: str, kind: str, query: BadgeQuery):
    def view(shot: Snapshot) -> tuple[str, dt.datetime]:
        counter = next((c for c in shot.counters if c.slug == slug), None)
        if counter is None:  # removed since the request checked it
            abort(404)
        label = query.label if query.label is not None else default_label(counter, shot.locale)
        message = days_message(counter, shot.locale)
        if kind == "svg":
            body = svg(label, message, COLOR, query.style)
        else:
            body = endpoint_json(label, message, COLOR, MAX_AGE_MARK.decode())
        return body, counter.next_change

    return view


def usual_badges(content: SiteContent):
    """Each counter's badge, as SVG and as endpoint JSON, in its plain form and each language,
    for the scheduler to warm."""
    for counter in content.counters:
        for locale in LOCALES:
            query = BadgeQuery(label=None, style=STYLES[0], locale=locale)
            for kind in ("svg", "json"):
                view = badge_view(counter.slug, kind, query)
                yield badge_key(counter.slug, kind, query), view, locale


def _badge(slug: str, kind: str) -> Response:
    now = timecalc.utcnow()
    content = live_pages().content(now)
    try:
        query = parse_query(request.args, content.locale)
    except BadParameter as error:
        return _error(kind, 400, "bad request", str(error))
    if slug not in {c.slug for c in content.counters}:
        return _error(kind, 404, "unknown counter", "unknown counter")

    rendered = live_pages().get(
        badge_key(slug, kind, query), now, view=badge_view(slug, kind, query), locale=query.locale
    )
    mimetype = "image/svg+xml" if kind == "svg" else "application/json"
    return cached_response(rendered, now, mimetype)


def _error(kind: str, status: int, short: str, detail: str) -> Response:
    """A small grey badge saying what is wrong (its title says it in full), or endpoint JSON
    with isError, which shields.io shows as such."""
    if kind == "svg":
        body = svg("", short, GREY, "flat", title=detail)
        response = Response(body, status=status, mimetype="image/svg+xml")
    else:
        body = endpoint_json("counter", detail, GREY, None)
        response = Response(body, status=status, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/badge/<slug>.svg")
def badge_svg(slug: str):
    return _badge(slug, "svg")


@bp.get("/badge/<slug>.json")
def badge_json(slug: str):
    return _badge(slug, "json")


def init_app(app: Flask) -> None:
    app.extensions["dashboard.live"].register_family(usual_badges)
    app.register_blueprint(bp)
