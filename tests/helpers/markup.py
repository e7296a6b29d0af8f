"""Reading markup in the tests: start tags with their attributes, and the iframe a snippet
holds."""

from __future__ import annotations

import html.parser

# The host the tests' client is given as base_url, so that absolute URLs show theirs.
HOST = "http://dash.example:8080"


class Tags(html.parser.HTMLParser):
    """Start tags with their attributes, in document order."""

    def __init__(self, text: str):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def find(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [
            a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())
        ]


def iframe_of(html_snippet: str) -> dict[str, str | None]:
    (frame,) = Tags(html_snippet).find("iframe")
    return frame
