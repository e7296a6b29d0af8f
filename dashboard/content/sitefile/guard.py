"""Refusing a site file that would make tomllib use unbounded memory, time or recursion, before
it is parsed: one linear pass over the text, in the memory of the text.

Measured: tomllib keeps, for a dotted key of n parts, each of its n prefixes as a tuple until
the next table header, so one key `a.a.a…` of 20,000 parts takes 1.5 GB (100,000: tens of
GB); a long table header costs its length again on every dotted key under it; and arrays and
inline tables are parsed recursively, so `a = [[[…]]]` a thousand deep is a RecursionError.
Every key, table and array also costs a few hundred bytes. A site file needs none of this, so
the number of parts of a key, the nesting, and the entries in all are bounded (config.py).

tomllib stays the parser: this pass only reads far enough into TOML's syntax to tell keys
from values (strings and comments are skipped whole, so a body full of brackets and dots is
not counted) and leaves every other judgement, and every other error, to it.
"""

from __future__ import annotations

import dataclasses
import re

from dashboard import config

# Strings (the four kinds) and comments are one token each; then the punctuation that gives
# TOML its structure, and runs of anything else. Each alternative starts with a different
# character, and none can match in more than one way, so the scan is linear.
_TOKEN = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""(?!"{3})"{0,2}'
    r"|'''.*?'''(?!'{3})'{0,2}"
    r'|"(?:[^"\\\n]|\\[^\n])*"'
    r"|'[^'\n]*'"
    r"|#[^\n]*"
    r"|[\n\[\]{}=,.]"
    r"|[^\n\[\]{}=,.\"'#]+",
    re.DOTALL,
)


class TooComplex(ValueError):
    """The file's shape would make the parser's memory or recursion unbounded."""

    def __init__(self, line: int, message: str):
        self.line = line
        super().__init__(f"line {line}: {message}")


@dataclasses.dataclass
class _Scan:
    line: int = 1
    entries: int = 0
    parts: int = 0  # of the key being read
    nesting: list = dataclasses.field(default_factory=list)  # "[" and "{" of values
    reading: str = "key"  # a "key" until "=", then its "value"; or a table's "header"
    line_start: bool = True

    def count(self) -> None:
        self.entries += 1
        if self.entries > config.SITE_FILE_MAX_ENTRIES:
            raise TooComplex(
                self.line,
                f"more than {config.SITE_FILE_MAX_ENTRIES:,} keys, tables and arrays in all",
            )

    def key_part(self) -> None:
        self.parts += 1
        self.count()
        if self.parts > config.SITE_FILE_MAX_KEY_PARTS:
            raise TooComplex(
                self.line, f"a key of more than {config.SITE_FILE_MAX_KEY_PARTS} dotted parts"
            )

    def new_key(self) -> None:
        self.reading, self.parts = "key", 0

    def open(self, bracket: str) -> None:
        self.nesting.append(bracket)
        self.count()
        if len(self.nesting) > config.SITE_FILE_MAX_NESTING:
            raise TooComplex(
                self.line,
                f"arrays or inline tables nested more than {config.SITE_FILE_MAX_NESTING} deep",
            )
        if bracket == "{":
            self.new_key()

    def close(self) -> None:
        if self.nesting:
            self.nesting.pop()
        self.reading = "value"


def check_shape(text: str) -> None:
    """TooComplex, naming the line, for a text whose keys have too many parts, whose arrays and
    inline tables nest too deep, or which has too many entries in all. A key's parts are
    counted as its first part and one more for each dot; dots in values are not keys'."""
    scan = _Scan()
    for match in _TOKEN.finditer(text):
        token = match.group()
        first = token[0]
        at_line_start, scan.line_start = scan.line_start, False
        if first == "\n":
            scan.line += 1
            scan.line_start = True
            if not scan.nesting:  # a newline inside an array is white space
                scan.new_key()
        elif first == "#" or token.isspace():
            scan.line_start = at_line_start
        elif scan.reading == "value":
            if first in "[{":
                scan.open(first)
            elif first in "]}":
                scan.close()
            elif first == "," and scan.nesting[-1:] == ["{"]:
                scan.new_key()
            scan.line += token.count("\n")  # a multi-line string
        elif first == "[" and at_line_start and not scan.nesting:
            scan.reading = "header"
            scan.count()
        elif first == "." or (first not in "[]{}=," and scan.parts == 0):
            scan.key_part()  # in a key, or a table's header
        elif first == "=" and scan.reading == "key":
            scan.reading = "value"
        elif first == "}" and scan.reading == "key":
            scan.close()  # an empty inline table
