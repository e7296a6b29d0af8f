"""Fitting text into a box, measured with the font that draws it: wrap by words, shrink the
size down to a floor, and only then cut the last line with an ellipsis."""

from __future__ import annotations

import dataclasses
import re

from PIL import ImageFont

from dashboard.web import fonts

ELLIPSIS = "…"
LINE_SPACING = 1.22  # line height as a multiple of the size
# Breakable spaces only: a no-break space (in "12 345", "5 ноября") keeps its words together.
SPACES = re.compile(r"[ \t\r\n\f\v]+")
DASHES = {"-", "–", "—"}  # a lone dash stays at the end of its line, never starts the next


@dataclasses.dataclass(frozen=True)
class Fitted:
    lines: tuple[str, ...]
    size: int
    bold: bool
    line_height: int
    cut: bool  # the text did not fit even at the floor: its end is an ellipsis

    @property
    def font(self) -> ImageFont.FreeTypeFont:
        return fonts.font(self.size, self.bold)

    @property
    def height(self) -> int:
        return self.line_height * len(self.lines)


def width_of(text: str, font: ImageFont.FreeTypeFont) -> float:
    return font.getlength(text)


def wrap(
    text: str, font: ImageFont.FreeTypeFont, width: float, limit: int | None = None
) -> list[str]:
    """Lines no wider than `width`, broken between words; a word wider than a line alone (a
    long address) is broken between its characters. With `limit`, stops past that many lines
    (the text does not fit: there is no need to measure the rest)."""
    lines: list[str] = []
    current = ""
    for word in _words(text):
        if limit is not None and len(lines) > limit:
            return lines
        candidate = f"{current} {word}" if current else word
        if width_of(candidate, font) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        while width_of(word, font) > width:
            head = _longest_prefix(word, font, width)
            lines.append(head)
            word = word[len(head) :]
        current = word
    if current:
        lines.append(current)
    return lines


def _words(text: str) -> list[str]:
    """The words between breakable spaces, a lone dash joined to the word before it."""
    words: list[str] = []
    for word in SPACES.split(text.strip()):
        if word in DASHES and words:
            words[-1] += " " + word
        elif word:
            words.append(word)
    return words


def _longest_prefix(word: str, font: ImageFont.FreeTypeFont, width: float) -> str:
    """The longest start of `word` that fits (at least one character, so wrapping ends)."""
    low, high = 1, len(word)
    while low < high:
        middle = (low + high + 1) // 2
        if width_of(word[:middle], font) <= width:
            low = middle
        else:
            high = middle - 1
    return word[:low]


def ellipsize(line: str, font: ImageFont.FreeTypeFont, width: float) -> str:
    """`line` with an ellipsis at its end, words dropped from the end until it fits."""
    words = [word for word in SPACES.split(line) if word]
    while words:
        candidate = " ".join(words).rstrip(",;:-–— ") + ELLIPSIS
        if width_of(candidate, font) <= width:
            return candidate
        if len(words) == 1:  # one long word: cut it between characters
            return _longest_prefix(words[0], font, width - width_of(ELLIPSIS, font)) + ELLIPSIS
        words.pop()
    return ELLIPSIS


def fit(
    text: str,
    width: float,
    height: float,
    largest: int,
    smallest: int,
    bold: bool = False,
    max_lines: int | None = None,
    step: int = 2,
) -> Fitted:
    """The largest size from `largest` down to `smallest` (by `step`) at which `text`, wrapped
    to `width`, fits `height` (and `max_lines`); at `smallest`, the lines that fit, the last
    ellipsized. Sizes are searched by halves: a smaller size never needs more lines."""
    text = SPACES.sub(" ", text).strip()
    sizes = list(range(largest, smallest, -step)) + [smallest]  # largest first

    def attempt(size: int) -> tuple[Fitted, bool]:
        font = fonts.font(size, bold)
        line_height = round(size * LINE_SPACING)
        room = max(1, int(min(height, 10**6) // line_height))
        if max_lines is not None:
            room = min(room, max_lines)
        lines = wrap(text, font, width, limit=room)
        if len(lines) <= room:
            return Fitted(tuple(lines), size, bold, line_height, cut=False), True
        kept = lines[:room]
        # The next word did not fit on the last line: only the ellipsis may join it.
        kept[-1] = ellipsize(kept[-1], font, width)
        return Fitted(tuple(kept), size, bold, line_height, cut=True), False

    best, fits = attempt(sizes[0])
    if fits:
        return best
    floor, fits = attempt(sizes[-1])
    if not fits:
        return floor
    low, high = 0, len(sizes) - 1  # sizes[low] does not fit, sizes[high] does
    best = floor
    while high - low > 1:
        middle = (low + high) // 2
        fitted, fits = attempt(sizes[middle])
        if fits:
            high, best = middle, fitted
        else:
            low = middle
    return best


def fit_one_line(text: str, width: float, largest: int, smallest: int, bold: bool) -> Fitted:
    """One line: the size shrinks until it fits, then the end is cut."""
    return fit(text, width, float("inf"), largest, smallest, bold, max_lines=1)
