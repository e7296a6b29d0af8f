"""/sitemap.xml and /robots.txt: what search engines are told to read, and not to.

The sitemap lists the page, the archive, every counter's page, every topic and every
statement readers see, each with its lastmod and its versions in other languages
(xhtml:link hreflang). Past
SITEMAP_URLS addresses (50,000, the protocol's most) it becomes an index of numbered sitemaps.
Scheduled statements appear at their instant, as everywhere else; previews never."""

from __future__ import annotations

import dataclasses
import datetime as dt
import xml.etree.ElementTree as ET

import sqlalchemy as sa
from flask import Blueprint, Flask, abort, current_app, url_for

from dashboard.cache import keys
from dashboard.cache.http import cached_response
from dashboard.cache.live import ORIGIN_MARK, live_pages
from dashboard.content import models, store
from dashboard.content.store import current_store
from dashboard.core import timecalc
from dashboard.core.snapshot import Snapshot
from dashboard.i18n.languages import locales

bp = Blueprint("sitemap", __name__)
ORIGIN = ORIGIN_MARK.decode()  # filled with each request's origin when the bytes are served
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML = "http://www.w3.org/1999/xhtml"
MOST = 50_000  # addresses in one sitemap, by the protocol


@dataclasses.dataclass(frozen=True)
class Address:
    loc: str
    lastmod: dt.datetime | None
    alternates: tuple[tuple[str, str], ...] = ()  # (hreflang, address)


def _absolute(path: str) -> str:
    return ORIGIN + path


def _per_language(endpoint: str, **values) -> tuple[tuple[str, str], ...]:
    return tuple((code, _absolute(url_for(endpoint, lang=code, **values))) for code in locales())


def addresses(shot: Snapshot) -> list[Address]:
    """Every address, in order: the page, the archive, the topics, the statements (newest
    first), as readers see them at the snapshot's instant."""
    at = shot.statements_at
    row = models.Statement
    with current_store().session() as session:
        rows = session.execute(
            sa.select(row.slug, row.language, row.translation_of, row.published, row.updated_at)
            .where(store.visible_at(at))
            .order_by(*store.NEWEST_FIRST)
        ).all()
    newest = rows[0].published if rows else None
    found = [
        Address(_absolute(url_for("public.index")), newest, _per_language("public.index")),
        Address(_absolute(url_for("public.archive")), newest, _per_language("public.archive")),
    ]
    content = live_pages().content(at)
    for counter in content.counters:
        alternates = _per_language("public.counter", slug=counter.slug)
        loc = _absolute(url_for("public.counter", slug=counter.slug))
        found.append(Address(loc, None, alternates))
    for topic in content.topics:
        alternates = _per_language("public.topic", slug=topic.slug)
        found.append(Address(_absolute(url_for("public.topic", slug=topic.slug)), None, alternates))
    groups: dict[str, list] = {}
    for r in rows:
        groups.setdefault(r.translation_of or r.slug, []).append(r)
    for r in rows:
        group = groups[r.translation_of or r.slug]
        alternates = ()
        if len(group) > 1:
            links = [
                (v.language, _absolute(url_for("public.statement", slug=v.slug))) for v in group
            ]
            original = next((v for v in group if not v.translation_of), None)
            if original is not None:
                links.append(
                    ("x-default", _absolute(url_for("public.statement", slug=original.slug)))
                )
            alternates = tuple(links)
        lastmod = max(r.published, r.updated_at or r.published)
        found.append(
            Address(_absolute(url_for("public.statement", slug=r.slug)), lastmod, alternates)
        )
    return found


def _w3c(instant: dt.datetime) -> str:
    return timecalc.format_instant(instant)


def urlset(found: list[Address]) -> bytes:
    root = ET.Element("urlset", {"xmlns": SITEMAP, "xmlns:xhtml": XHTML})
    for address in found:
        url = ET.SubElement(root, "url")
        ET.SubElement(url, "loc").text = address.loc
        if address.lastmod is not None:
            ET.SubElement(url, "lastmod").text = _w3c(address.lastmod)
        for language, href in address.alternates:
            attributes = {"rel": "alternate", "hreflang": language, "href": href}
            ET.SubElement(url, "xhtml:link", attributes)
    return _serialised(root)


def index(parts: list[list[Address]]) -> bytes:
    root = ET.Element("sitemapindex", {"xmlns": SITEMAP})
    for number, part in enumerate(parts, start=1):
        entry = ET.SubElement(root, "sitemap")
        loc = _absolute(url_for("sitemap.numbered", number=number))
        ET.SubElement(entry, "loc").text = loc
        dates = [a.lastmod for a in part if a.lastmod is not None]
        if dates:
            ET.SubElement(entry, "lastmod").text = _w3c(max(dates))
    return _serialised(root)


def _serialised(root: ET.Element) -> bytes:
    # The namespaces are written as plain attributes and prefixes: registering them with
    # ElementTree is global, and would change how the Atom feeds are written.
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _parts(found: list[Address]) -> list[list[Address]]:
    size = int(current_app.config.get("SITEMAP_URLS") or MOST)
    return [found[start : start + size] for start in range(0, len(found), size)]


def _until(shot: Snapshot) -> dt.datetime:
    # It changes when a statement appears or leaves, or with an edit (which drops it).
    return min(shot.statements_change or shot.date.next_change, shot.date.next_change)


def _serve(key: str, make) -> object:
    now = timecalc.utcnow()

    def view(shot: Snapshot) -> tuple[str, dt.datetime]:
        return make(shot).decode("utf-8"), _until(shot)

    rendered = live_pages().get(key, now, view, None)
    return cached_response(rendered, now, mimetype="application/xml")


@bp.get("/sitemap.xml")
def sitemap():
    def make(shot: Snapshot) -> bytes:
        parts = _parts(addresses(shot))
        return urlset(parts[0] if parts else []) if len(parts) <= 1 else index(parts)

    return _serve(keys.sitemap(0), make)


@bp.get("/sitemap-<int:number>.xml")
def numbered(number: int):
    def make(shot: Snapshot) -> bytes:
        parts = _parts(addresses(shot))
        if not 1 <= number <= len(parts):  # one part: /sitemap-1.xml is /sitemap.xml
            abort(404, description=f"There is no sitemap {number}.")
        return urlset(parts[number - 1])

    return _serve(keys.sitemap(number), make)


@bp.get("/robots.txt")
def robots():
    def make(_shot: Snapshot) -> bytes:
        lines = [
            "User-agent: *",
            "Disallow: /admin",
            "Disallow: /*?preview=",
            "Disallow: /*&preview=",
            f"Sitemap: {_absolute(url_for('sitemap.sitemap'))}",
        ]
        return ("\n".join(lines) + "\n").encode()

    now = timecalc.utcnow()

    def view(shot: Snapshot) -> tuple[str, dt.datetime]:
        return make(shot).decode(), shot.date.next_change

    rendered = live_pages().get(keys.robots(), now, view, None)
    return cached_response(rendered, now, mimetype="text/plain")


def register(app: Flask) -> None:
    app.register_blueprint(bp)
