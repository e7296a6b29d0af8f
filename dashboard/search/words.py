"""Words: how text is cut into words, a word's stem in a language, and the plain text of a
stored body. The index and the queries both come here, so a word is always cut and stemmed
the same way: "посольства" and "посольство" share the stem "посольств", "statements" and
"statement" the stem "statement".
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Iterable

import Stemmer

from dashboard.i18n.languages import LANGUAGES

# A word is a run of letters and digits: punctuation, operators and spaces only separate words,
# so nothing a reader types can mean more than the words in it. Apostrophes inside a word are
# dropped rather than cut at ("Lavrov's" is the word "lavrovs", whose stem is "lavrov").
WORD = re.compile(r"[^\W_]+(?:['’]+[^\W_]+)*")
APOSTROPHES = re.compile(r"['’]")
# A tag of the stored, sanitised HTML: its attribute values are always double-quoted, with any
# quote inside escaped, so this matches whole tags and nothing else. PostgreSQL's generated
# column strips tags with the same pattern (migration 0008).
TAG = re.compile(r'<(?:[^>"]|"[^"]*")*>')
SPACE = re.compile(r"\s+")
# The characters of each field that are indexed, as PostgreSQL's generated column takes them:
# a tsvector holds at most 1 MB.
INDEXED_CHARS = 200_000

_local = threading.local()  # a Stemmer object is not to be shared between threads


def _stemmer(algorithm: str) -> Stemmer.Stemmer:
    stemmers = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = _local.stemmers = {}
    if algorithm not in stemmers:
        stemmers[algorithm] = Stemmer.Stemmer(algorithm)
    return stemmers[algorithm]


def stemmer_of(language: str | None) -> str | None:
    """The Snowball algorithm for a statement's language code ("en", "en-GB", "ru"), or None
    for a language the dashboard does not stem (its words are matched whole)."""
    primary = (language or "").replace("_", "-").split("-", 1)[0].lower()
    record = LANGUAGES.get(primary)
    return record.stemmer if record else None


def stemmers() -> tuple[str, ...]:
    """Every algorithm of the one list of languages, in its order: a query word is looked for
    in each language's form, since a reader may search any statement in any language."""
    return tuple(dict.fromkeys(r.stemmer for r in LANGUAGES.values() if r.stemmer))


def normal(word: str) -> str:
    """A word as the index holds it: lower case, without apostrophes."""
    return APOSTROPHES.sub("", word).lower()


def words(text: str) -> list[str]:
    return [normal(word) for word in WORD.findall(text or "")]


def stems(algorithm: str | None, lowered: list[str]) -> list[str]:
    return _stemmer(algorithm).stemWords(lowered) if algorithm else lowered


def plain_text(body_html: str) -> str:
    """The text of a stored body: tags dropped (each a word boundary), entities decoded,
    white space collapsed."""
    return SPACE.sub(" ", html.unescape(TAG.sub(" ", body_html or ""))).strip()


def index_text(language: str | None, text: str | None, is_html: bool = False) -> str:
    """What the SQLite index holds for a title, summary or body: its words' stems in the
    statement's language, separated by spaces."""
    text = (plain_text(text or "") if is_html else text or "")[:INDEXED_CHARS]
    return " ".join(stems(stemmer_of(language), words(text)))


def forms(word: str) -> frozenset[str]:
    """The forms a query word is looked for in: its stem in every language, and itself (for
    statements in languages that are not stemmed)."""
    return frozenset([word, *(stems(algorithm, [word])[0] for algorithm in stemmers())])


def all_forms(groups: Iterable[frozenset[str]]) -> frozenset[str]:
    return frozenset().union(*groups)
