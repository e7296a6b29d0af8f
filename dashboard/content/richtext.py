"""Statement bodies: Markdown or HTML in, sanitised HTML out.

A body is rendered as CommonMark (raw HTML allowed, so an HTML body passes through) and the
result is cleaned by nh3 to a short allow-list: whatever an admin, an API client or a feed
puts in a body, no script, handler, style or htmx attribute survives. Titles and summaries are
plain text and are never run through here; templates escape them.

Bodies are rendered once, when they are written, in a process of their own with a time limit
(rendering.py, renderworker.py), and the HTML is stored beside them: readers never render.
This module imports nothing of the package, so that the worker process starts quickly.
"""

from __future__ import annotations

import html
import re

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset(
    {"p", "a", "em", "strong", "ul", "ol", "li", "blockquote", "h2", "h3", "h4", "br"}
)
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener nofollow"
# Dropped with their content, not just unwrapped: their text is not prose.
DROPPED_WITH_CONTENT = frozenset(
    {"script", "style", "template", "noscript", "iframe", "object", "svg", "math", "textarea"}
)

_markdown = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})


def sanitise(fragment: str) -> str:
    """HTML cleaned to the allow-list; links get rel="noopener nofollow"."""
    return nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS),
        # "*": none on every tag (nh3 would keep title and lang everywhere otherwise)
        attributes={"*": set(), **{tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()}},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        strip_comments=True,
    ).strip()


def render(body: str) -> str:
    """The body (Markdown or HTML) rendered and sanitised. Unbounded in time: writers call it
    through rendering.body_html, never directly."""
    if not body or not body.strip():
        return ""
    return sanitise(_markdown.render(body.replace("\r\n", "\n")))


def escaped_paragraphs(body: str) -> str:
    """The body as plain text paragraphs, escaped: linear time, for a stored body that cannot
    be rendered in time (the migration that first stored the HTML of existing bodies)."""
    parts = [p.strip() for p in body.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in parts)


_SPACE = re.compile(r"\s+")


def plain_text(fragment: str) -> str:
    """Text from an HTML fragment (feed titles and summaries): tags dropped, entities decoded,
    white space collapsed. The result is plain text, to be escaped wherever it is shown."""
    text = nh3.clean(fragment or "", tags=set(), clean_content_tags=set(DROPPED_WITH_CONTENT))
    return _SPACE.sub(" ", html.unescape(text)).strip()
