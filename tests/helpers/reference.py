"""The reference capture of 26 January 2020, 17:58 London time, and reading a page as text."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

REFERENCE_INSTANT = dt.datetime(2020, 1, 26, 17, 58, tzinfo=dt.UTC)
# A copy of shared/reference/000_9dab5ff1aff01632.txt, kept here so tests need nothing else.
DATA = Path(__file__).parent.parent / "data"
REFERENCE = DATA / "reference-2020-01-26T1758-london.txt"
SITES = DATA / "sites"


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", html)
    for entity, char in (("&#39;", "'"), ("&amp;", "&"), ("&quot;", '"'), ("&lt;", "<")):
        text = text.replace(entity, char)
    return re.sub(r"\s+", " ", text)


def site_file(name: str) -> str:
    """A site file kept for the tests in tests/data/sites/."""
    return (SITES / name).read_text(encoding="utf-8")
