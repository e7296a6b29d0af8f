"""Reading a feed: feedparser is only handed the bytes, never a URL, so it fetches nothing
itself. A document that declares its own entities (a DTD internal subset: the "billion
laughs") is refused before parsing; expat's own amplification limit is the second line. Each
entry becomes a statement's values."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import re
import xml.sax

import feedparser

from dashboard import config
from dashboard.content import models, richtext
from dashboard.content.schema.kinds import HTTP_ADDRESS
from dashboard.core import timecalc
from dashboard.feeds.fetch import FeedError

INTERNAL_SUBSET = re.compile(rb"<!DOCTYPE[^>\[]*\[|<!ENTITY", re.IGNORECASE)
MAX_KEY_BYTES = 900  # longer guids and links are kept as their hash (index size limits)


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


def entry_key(value: str | None) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if len(value.encode("utf-8")) > MAX_KEY_BYTES:
        return "sha256:" + hashlib.sha256(value.encode("utf-8")).hexdigest()
    return value


def shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",.;: ") + "…"


def entry_values(entry, feed: models.Feed, fetched_at) -> dict:
    summary_html = entry.get("summary", "") or ""
    contents = [c.get("value", "") for c in entry.get("content", []) if c.get("value")]
    full_summary = richtext.plain_text(summary_html)
    summary = shorten(full_summary, config.FEED_SUMMARY_CHARS)
    if contents:
        body = contents[0]
    elif summary != full_summary or re.search(r"<(p|ul|ol|blockquote|h[2-4])\b", summary_html):
        body = summary_html
    else:
        body = ""
    # Indentation in HTML would read as Markdown code blocks: keep each line's text only.
    body = "\n".join(line.strip() for line in body.splitlines())
    title = richtext.plain_text(entry.get("title", "")) or shorten(summary, 80) or "Untitled"
    link = (entry.get("link") or "").strip()
    published = timecalc.from_utc_struct(
        entry.get("published_parsed") or entry.get("updated_parsed")
    )
    # An item in a feed is public already where it came from: a date ahead of the fetch is a
    # clock or zone error there, not an embargo, so it never schedules the statement.
    if published is None or published > fetched_at:
        published = fetched_at
    return {
        "title": shorten(title, 500),
        "published": published,
        "summary": summary,
        "body": body,
        "source_url": link if HTTP_ADDRESS.fullmatch(link) else "",
        "language": feed.language,
        "featured": False,
        "draft": not feed.publish,
    }


@dataclasses.dataclass
class Item:
    values: dict
    guid: str | None
    link: str | None


def items_of(entries, feed: models.Feed, now) -> list[Item]:
    items = []
    for entry in entries:
        values = entry_values(entry, feed, now)
        guid = entry_key(entry.get("id") or entry.get("guid"))
        link = entry_key(entry.get("link"))
        if guid is None and link is None:  # neither: the item's own words identify it
            words = f"{values['title']}\n{values['summary']}".encode()
            guid = "sha256:" + hashlib.sha256(words).hexdigest()
        items.append(Item(values, guid, link))
    return items
