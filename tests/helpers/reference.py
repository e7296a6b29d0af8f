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

SALISBURY = (
    "693 days have passed since the Salisbury incident - no credible information or response "
    "from the British authorities"
)
GLUSHKOV = (
    "685 days have passed since the death of Nikolay Glushkov on British soil - no credible "
    "information or response from the British authorities"
)
# The capture's first lines: the date, the clocks, the contact line and the counters.
TOP_LINES = [
    "26 January 2020",
    "Moscow: 20:58",
    "London: 17:58",
    "Consular queries: +44 (0) 203 668 7474",
    SALISBURY,
    GLUSHKOV,
]
LISTED_DATES = [
    "16.01.2020", "15.01.2020", "14.01.2020", "14.01.2020", "19.12.2019",
    "18.12.2019", "06.12.2019", "29.11.2019", "28.11.2019", "21.11.2019",
]  # fmt: skip


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<(p)\b[^>]*\shidden[\s>][^<]*</\1>", " ", html)  # the hidden stale note
    text = re.sub(r"<[^>]+>", " ", html)
    for entity, char in (("&#39;", "'"), ("&amp;", "&"), ("&quot;", '"'), ("&lt;", "<")):
        text = text.replace(entity, char)
    return re.sub(r"\s+", " ", text)


def site_file(name: str) -> str:
    """A site file kept for the tests in tests/data/sites/."""
    return (SITES / name).read_text(encoding="utf-8")


def missing_lines(html: str, lines=TOP_LINES) -> list[str]:
    text = visible_text(html)
    return [line for line in lines if line not in text]


def listed_dates(html: str) -> list[str]:
    """The dates of the statements listed under the featured one, in page order."""
    return re.findall(r"\d\d\.\d\d\.\d{4}(?= - )", visible_text(html))


def missing_capture_lines(html: str) -> list[str]:
    """The captured text's lines (whitespace folded) that the page does not show."""
    page = visible_text(html).replace("Consular queries: ", "Consular queries:")
    missing = []
    for line in REFERENCE.read_text(encoding="utf-8").splitlines():
        line = re.sub(r"\s+", " ", line).strip()
        # The capture runs both counters into one line; TOP_LINES has each.
        if not line or line.startswith("693 days"):
            continue
        if line.replace("Consular queries: ", "Consular queries:") not in page:
            missing.append(line[:80])
    return missing


def reference_problems(html: str) -> list[str]:
    """Everything the reference demands of the page at its instant that this page lacks."""
    problems = [f"missing: {line}" for line in missing_lines(html)]
    problems += [f"capture line missing: {line}" for line in missing_capture_lines(html)]
    if listed_dates(html) != LISTED_DATES:
        problems.append(f"listed dates {listed_dates(html)}, not {LISTED_DATES}")
    return problems
