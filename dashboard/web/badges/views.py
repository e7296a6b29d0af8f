"""/badge/<slug>.svg, .png and .json: a counter's days as a badge. All are cached per
minute and expire at the counter's next local midnight, which the snapshot gives; nothing here
does time arithmetic."""

from __future__ import annotations

import dataclasses
import datetime as dt

from flask import Blueprint, Response, abort

from dashboard import config
from dashboard.cache import keys
from dashboard.cache.http import cached_response
from dashboard.cache.live import MAX_AGE_MARK, live_pages
from dashboard.core import timecalc
from dashboard.core.captions import plural
from dashboard.core.snapshot import CounterReading, SiteContent, Snapshot
from dashboard.i18n.languages import LANGUAGES, language, locales
from dashboard.web import params
from dashboard.web.badges.png import MAX_SCALE, badge_png
from dashboard.web.badges.svg import NOT_XML, endpoint_json, svg
from dashboard.web.params import BadParameter

bp = Blueprint("badges", __name__)

STYLES = ("flat", "flat-square", "for-the-badge")


@dataclasses.dataclass(frozen=True)
class BadgeQuery:
    label: str | None
    style: str
    locale: str
    scale: int = 1  # the PNG's

    def key(self, kind: str, slug: str) -> str:
        kind = f"png@{self.scale}x" if kind == "png" else kind
        return keys.badge(kind, slug, self.style, self.locale, self.label)


BADGE = params.Query(
    "badges.badge_svg",
    "badges.badge_json",
    style=params.OneOf(STYLES, default=STYLES[0]),
    lang=params.OneOf(LANGUAGES),
    # Room for spaces and control characters, which go; what is left is measured below.
    label=params.Verbatim(4 * config.BADGE_MAX_LABEL),
)
BADGE_PNG = params.Query(
    "badges.badge_png",
    **BADGE.parameters,
    scale=params.Whole(1, MAX_SCALE, default=1),  # 2 for sharp screens: twice the pixels
)


def parse_query(values: dict, site_locale: str) -> BadgeQuery:
    locale = values["lang"] or site_locale or locales()[0]
    if locale not in LANGUAGES:  # the site's own language, since removed from the registry
        raise BadParameter(f"'lang' must be one of {', '.join(locales())}, not {locale!r}")
    label = values["label"]
    if label is not None:
        label = " ".join(NOT_XML.sub("", label).split())
        if len(label) > config.BADGE_MAX_LABEL:
            raise BadParameter(f"'label' may have at most {config.BADGE_MAX_LABEL} characters")
    scale = values.get("scale") or 1
    return BadgeQuery(label=label, style=values["style"], locale=locale, scale=scale)


def days_message(counter: CounterReading, locale: str) -> str:
    words = language(locale)
    return plural(words.badge_forms(counter.days < 0), abs(counter.days), words.code)


def default_label(counter: CounterReading, locale: str) -> str:
    """The event, as a label: "the Salisbury incident" -> "Salisbury incident"; a long one is
    cut at a word, leaving no dangling "of" or "on"."""
    words = language(locale)
    event = " ".join(counter.event.split())
    article = words.drop_article
    if article and event.lower().startswith(article):
        event = event[len(article) :]
    event = words.label_prefix(counter.days < 0) + event
    limit = config.BADGE_LABEL_SHORTEN_AT
    if len(event) > limit:
        cut = event[: limit + 1].split(" ")[:-1] or [event[:limit]]
        while len(cut) > 1 and cut[-1].lower().strip(",;:-") in words.small_words:
            cut.pop()
        event = " ".join(cut).rstrip(",;:- ") + "…"
    return event[:1].upper() + event[1:]


def badge_view(slug: str, kind: str, query: BadgeQuery):
    def view(shot: Snapshot) -> tuple[str | bytes, dt.datetime]:
        counter = shot.counter(slug)
        if counter is None:  # removed since the request checked it
            abort(404)
        label = query.label if query.label is not None else default_label(counter, shot.locale)
        message = counter.badge or days_message(counter, shot.locale)  # in its display
        if kind == "svg":
            body = svg(label, message, config.ACCENT, query.style)
        elif kind == "png":
            body = badge_png(label, message, config.ACCENT, query.style, query.scale)
        else:
            body = endpoint_json(label, message, config.ACCENT, MAX_AGE_MARK.decode())
        return body, counter.next_change

    return view


def usual_badges(content: SiteContent):
    """Each counter's badge, as SVG, as endpoint JSON and as PNG (1x and 2x), in its plain form
    and each language, for the scheduler to warm."""
    for counter in content.counters:
        for locale in locales():
            query = BadgeQuery(label=None, style=STYLES[0], locale=locale)
            for kind in ("svg", "json"):
                yield query.key(kind, counter.slug), badge_view(counter.slug, kind, query), locale
            for scale in (1, 2):
                sharp = dataclasses.replace(query, scale=scale)
                yield sharp.key("png", counter.slug), badge_view(counter.slug, "png", sharp), locale


MIMETYPES = {"svg": "image/svg+xml", "png": "image/png", "json": "application/json"}


def _badge(slug: str, kind: str) -> Response:
    now = timecalc.utcnow()
    content = live_pages().content(now)
    try:
        query = parse_query((BADGE_PNG if kind == "png" else BADGE).read(), content.locale)
    except BadParameter as error:
        return _error(kind, 400, "bad request", str(error))
    if slug not in {c.slug for c in content.counters}:
        return _error(kind, 404, "unknown counter", "unknown counter")

    view = badge_view(slug, kind, query)
    rendered = live_pages().get(query.key(kind, slug), now, view=view, locale=query.locale)
    return cached_response(rendered, now, MIMETYPES[kind], marks=kind != "png")


def _error(kind: str, status: int, short: str, detail: str) -> Response:
    """A small grey badge saying what is wrong (its title says it in full), or endpoint JSON
    with isError, which shields.io shows as such."""
    if kind == "svg":
        body = svg("", short, config.BADGE_ERROR_COLOR, "flat", title=detail)
        response = Response(body, status=status, mimetype="image/svg+xml")
    elif kind == "png":
        body = badge_png("", short, config.BADGE_ERROR_COLOR, "flat")
        response = Response(body, status=status, mimetype="image/png")
    else:
        body = endpoint_json("counter", detail, config.BADGE_ERROR_COLOR, None)
        response = Response(body, status=status, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/badge/<slug>.svg")
def badge_svg(slug: str):
    return _badge(slug, "svg")


@bp.get("/badge/<slug>.png", endpoint="badge_png")
def badge_png_route(slug: str):
    """For e-mail clients that show no SVG."""
    return _badge(slug, "png")


@bp.get("/badge/<slug>.json")
def badge_json(slug: str):
    return _badge(slug, "json")
