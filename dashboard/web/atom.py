"""/feed.atom: an Atom 1.0 feed of the latest published statements; /topics/<slug>/feed.atom
the same of one topic's. Each entry names its topics as Atom categories.

Built with ElementTree, which escapes every text and attribute; the body goes out as
type="html" content holding the sanitised HTML (escaped once more, as Atom wants), titles and
summaries as type="text". Cached per minute like the pages, and dropped on every edit.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Mapping

import sqlalchemy as sa
from flask import Blueprint, Flask, abort, request, url_for

from dashboard import config
from dashboard.cache import keys
from dashboard.cache.http import cached_response
from dashboard.cache.live import live_pages
from dashboard.content import models, store, versions
from dashboard.content.store import current_store
from dashboard.core import timecalc
from dashboard.core.snapshot import Snapshot, TopicDef
from dashboard.i18n.languages import LANGUAGES
from dashboard.version import HOMEPAGE, VERSION
from dashboard.web import params

ATOM = "http://www.w3.org/2005/Atom"
MIMETYPE = "application/atom+xml"

bp = Blueprint("atom", __name__)
ET.register_namespace("", ATOM)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    if text is not None:
        element.text = text
    return element


def build(
    shot: Snapshot,
    rows: list,
    self_url: str,
    home_url: str,
    statement_url,
    title: str | None = None,
    topics: Mapping[str, TopicDef] | None = None,
) -> bytes:
    """The feed of `rows`; `title` is the site's unless given, and `topics` (by slug) name
    each entry's categories in the feed's language."""
    fmt = timecalc.format_instant
    feed = ET.Element(
        f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": shot.locale}
    )
    _sub(feed, "id", home_url)
    _sub(feed, "title", title or shot.title, type="text")
    newest = max((row.updated_at for row in rows), default=None)
    _sub(feed, "updated", fmt(newest or shot.minute))
    _sub(feed, "link", rel="self", type=MIMETYPE, href=self_url)
    _sub(feed, "link", rel="alternate", type="text/html", href=home_url)
    author = _sub(feed, "author")
    _sub(author, "name", shot.title)
    _sub(feed, "generator", "dashboard", uri=HOMEPAGE, version=VERSION)
    for row in rows:
        url = statement_url(row.slug)
        entry = _sub(feed, "entry")
        entry.set("{http://www.w3.org/XML/1998/namespace}lang", row.language)
        _sub(entry, "id", url)
        _sub(entry, "title", row.title, type="text")
        _sub(entry, "published", fmt(row.published))
        _sub(entry, "updated", fmt(row.updated_at))
        _sub(entry, "link", rel="alternate", type="text/html", href=url)
        if row.source_url:
            _sub(entry, "link", rel="related", href=row.source_url)
        for slug in row.topics:
            topic = (topics or {}).get(slug)
            label = {"label": topic.name_in(shot.locale)} if topic else {}
            _sub(entry, "category", term=slug, **label)
        if row.summary:
            _sub(entry, "summary", row.summary, type="text")
        if row.body_html:  # rendered and sanitised when written
            _sub(entry, "content", row.body_html, type="html")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _latest(limit: int, at: dt.datetime, locale: str, topic: str | None = None) -> list:
    """The newest statements, each once, in its version for `locale`."""
    one_each = versions.shown_in(locale, lambda o: store.visible_at(at, statement=o))
    query = (
        sa.select(models.Statement)
        .where(store.visible_at(at), one_each)
        .order_by(*store.NEWEST_FIRST)
        .limit(limit)
    )
    with current_store().session() as db:
        if topic:
            query = query.where(store.with_topic(db, topic, limit))
        return list(db.scalars(query))


def _by_slug(shot: Snapshot) -> dict[str, TopicDef]:
    return {topic.slug: topic for topic in live_pages().content(shot.statements_at).topics}


FEED = params.Query("atom.feed", lang=params.OneOf(LANGUAGES))
TOPIC_FEED = params.Query("atom.topic_feed", lang=params.OneOf(LANGUAGES))


@bp.get("/feed.atom")
def feed():
    """The feed in the site's language, or the one `?lang=` names (feed readers send no
    cookie, so the URL alone decides)."""
    now = timecalc.utcnow()
    asked = FEED.read()["lang"]
    locale = asked or live_pages().content(now).locale
    lang = {"lang": asked} if asked else {}

    def view(shot: Snapshot) -> tuple[str, dt.datetime]:
        xml = build(
            shot,
            _latest(config.ATOM_ENTRIES, shot.statements_at, shot.locale),
            self_url=url_for("atom.feed", _external=True, **lang),
            home_url=url_for("public.index", _external=True, **lang),
            statement_url=lambda slug: url_for("public.statement", slug=slug, _external=True),
            topics=_by_slug(shot),
        )
        return xml.decode("utf-8"), shot.next_change

    # Keyed on what was asked: the links name `?lang=` only when the URL did.
    rendered = live_pages().get(keys.atom(request.host_url, asked or ""), now, view, locale)
    return cached_response(rendered, now, mimetype=MIMETYPE)


@bp.get("/topics/<slug>/feed.atom")
def topic_feed(slug: str):
    """One topic's feed, named in the site's language or the one `?lang=` names."""
    now = timecalc.utcnow()
    asked = TOPIC_FEED.read()["lang"]
    locale = asked or live_pages().content(now).locale
    lang = {"lang": asked} if asked else {}

    def view(shot: Snapshot) -> tuple[str, dt.datetime]:
        topics = _by_slug(shot)
        if slug not in topics:
            abort(404, description=f"There is no topic called {slug!r}.")
        xml = build(
            shot,
            _latest(config.ATOM_ENTRIES, shot.statements_at, shot.locale, topic=slug),
            self_url=url_for("atom.topic_feed", slug=slug, _external=True, **lang),
            home_url=url_for("public.topic", slug=slug, _external=True, **lang),
            statement_url=lambda item: url_for("public.statement", slug=item, _external=True),
            title=f"{topics[slug].name_in(shot.locale)} · {shot.title}",
            topics=topics,
        )
        return xml.decode("utf-8"), shot.next_change

    key = keys.atom(request.host_url, asked or "", topic=slug)
    return cached_response(live_pages().get(key, now, view, locale), now, mimetype=MIMETYPE)


def register(app: Flask) -> None:
    app.register_blueprint(bp)
