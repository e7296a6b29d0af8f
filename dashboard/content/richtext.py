"""Statement bodies: Markdown or HTML in, sanitised HTML out.

A body is rendered as CommonMark (raw HTML allowed, so an HTML body passes through) and the
result is cleaned by nh3 to a short allow-list: whatever an admin, an API client or a feed
puts in a body, no script, handler, style or htmx attribute survives. Titles and summaries are
plain text and are never run through here; templates escape them.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

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


@lru_cache(maxsize=512)
def body_html_text(body: str) -> str:
    """The body (Markdown or HTML) rendered and sanitised, as a string (for JSON and Atom)."""
    if not body or not body.strip():
        return ""
    return sanitise(_markdown.render(body.replace("\r\n", "\n")))


def body_html(body: str) -> Markup:
    """The same, marked safe for templates: the sanitiser is what makes it so."""
    return Markup(body_html_text(body))


_SPACE = re.compile(r"\s+")


def plain_text(fragment: str) -> str:
    """Text from an HTML fragment (feed titles and summaries): tags dropped, entities decoded,
    white space collapsed. The result is plain text, to be escaped wherever it is shown."""
    text = nh3.clean(fragment or "", tags=set(), clean_content_tags=set(DROPPED_WITH_CONTENT))
    return _SPACE.sub(" ", html.unescape(text)).strip()
