"""Excerpts: a passage of a found statement with the words that matched marked. Computed
here from the stored text, the same on SQLite and PostgreSQL: a word is marked when its stem
in the statement's language is one of the query's forms, exactly as the index matched it.

The result is escaped text in which <mark> is the only markup.
"""

from __future__ import annotations

import itertools
import re
from html import escape

from markupsafe import Markup

from dashboard.search.words import APOSTROPHES, WORD, normal, plain_text, stemmer_of, stems

WIDTH = 240  # characters of an excerpt, about two lines
LEAD = 60  # characters shown before the first match
SCANNED = 50_000  # characters looked through for a match: a huge body costs no more than this
ELLIPSIS = "…"
LETTERS = re.compile(r"[^\W_]+")  # WORD, in text without apostrophes


def _hits(text: str, algorithm: str | None, wanted: frozenset[str]) -> list[tuple[int, int]]:
    """Where the words of `text` whose stems are wanted are. The words are cut and stemmed
    in C (findall, stemWords, a set intersection): a long body without a match costs little;
    positions are found only as far as the matches go."""
    scanned = text[:SCANNED]
    lowered = scanned.lower()
    if len(lowered) != len(scanned):  # a letter whose lower case is longer: word by word
        tokens = [normal(word) for word in WORD.findall(scanned)]
    else:
        tokens = LETTERS.findall(APOSTROPHES.sub("", lowered))  # the same words, faster
    found = stems(algorithm, tokens)
    if wanted.isdisjoint(found):
        return []
    matched = [index for index, stem in enumerate(found) if stem in wanted]
    spans = [m.span() for m in itertools.islice(WORD.finditer(scanned), matched[-1] + 1)]
    return [spans[index] for index in matched]


def _marked(text: str, hits: list[tuple[int, int]], start: int, end: int) -> Markup:
    parts, at = [], start
    for hit_start, hit_end in hits:
        if hit_start < start or hit_end > end:
            continue
        parts += [escape(text[at:hit_start]), "<mark>", escape(text[hit_start:hit_end]), "</mark>"]
        at = hit_end
    parts.append(escape(text[at:end]))
    return Markup("".join(parts))  # each piece of text escaped; <mark> the only markup


def highlighted(text: str, language: str | None, wanted: frozenset[str]) -> Markup:
    """All of a short text (a title), with its matches marked."""
    return _marked(text, _hits(text, stemmer_of(language), wanted), 0, len(text))


def _window(text: str, hits: list[tuple[int, int]]) -> tuple[int, int]:
    """Where an excerpt starts and ends: a little before the first match, cut at words."""
    first = hits[0][0] if hits else 0
    start = 0 if first <= LEAD else first - LEAD
    if start:
        space = text.find(" ", start, first)
        start = space + 1 if space != -1 else start
    end = min(len(text), start + WIDTH)
    if end < len(text):
        space = text.rfind(" ", max(start, first), end)
        end = space if space > first else end
    return start, end


def excerpt(summary: str, body_html: str, language: str | None, wanted: frozenset[str]) -> Markup:
    """From the summary where it matched, else from the body; from the start of the summary
    (or body) when only the title matched."""
    algorithm = stemmer_of(language)
    candidates = [summary or "", plain_text(body_html)]
    text, hits = candidates[0], []
    for candidate in candidates:
        hits = _hits(candidate, algorithm, wanted)
        if hits:
            text = candidate
            break
    if not text:
        text = candidates[1]
    start, end = _window(text, hits)
    marked = _marked(text, hits, start, end)
    before = ELLIPSIS if start > 0 else ""
    after = ELLIPSIS if end < len(text) else ""
    return Markup(before + marked + after)
