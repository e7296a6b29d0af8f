"""Share cards, 1200×630 PNG (what Open Graph and Twitter's large summary card show): a counter's
number and caption, or a statement's date and title, above the site's title. The colours are
static/dashboard.css's light theme.

A card is laid out first (every line, its font and its place), then drawn: tests check the
layout stays inside the canvas. Drawn bytes are kept per card (the same words draw the same
bytes), so a view asked again each minute does not draw again."""

from __future__ import annotations

import dataclasses
import functools
import io
import threading

from PIL import Image, ImageDraw

from dashboard import config
from dashboard.web import fonts
from dashboard.web.cards.text import Fitted, fit, fit_one_line

WIDTH, HEIGHT = 1200, 630
BACKGROUND = "#fdfdfb"  # --bg
INK = "#1b1b1b"  # --fg
MUTED = "#555555"  # --muted
ACCENT = config.ACCENT  # --accent
PANEL = "#f3f0ea"  # --panel
RULE = "#d8d4cc"  # --rule

BAR = 20  # the accent bar down the left edge, as .counter's border-left
LEFT, RIGHT, TOP = 96, 80, 64
TEXT_WIDTH = WIDTH - LEFT - RIGHT
FOOTER = 116  # the band at the bottom that carries the site's title
FOOTER_TOP = HEIGHT - FOOTER
GAP = 28  # between blocks


@dataclasses.dataclass(frozen=True)
class CounterCard:
    number: str  # as the locale writes it: "1,000", "1 000"
    caption: str  # the rest of the sentence: "days have passed since … - note"
    site_title: str


@dataclasses.dataclass(frozen=True)
class StatementCard:
    title: str
    date: str  # the day it was published, as the language writes it
    site_title: str


@dataclasses.dataclass(frozen=True)
class Placed:
    """A fitted block of text and where its first line's top is."""

    fitted: Fitted
    x: int
    y: int
    color: str

    def line_boxes(self) -> list[tuple[float, float, float, float]]:
        """Each line's ink box on the canvas, as drawn (anchor "la": left, ascender)."""
        font = self.fitted.font
        boxes = []
        for number, line in enumerate(self.fitted.lines):
            top = self.y + number * self.fitted.line_height
            left, upper, right, lower = font.getbbox(line, anchor="la")
            boxes.append((self.x + left, top + upper, self.x + right, top + lower))
        return boxes


def _footer(site_title: str) -> Placed:
    """The site's title: one line if it fits at a fair size, else two."""
    fitted = fit_one_line(site_title, TEXT_WIDTH, 32, 26, bold=True)
    if fitted.cut:
        fitted = fit(site_title, TEXT_WIDTH, 2 * 36, 32, 22, bold=True, max_lines=2)
    y = FOOTER_TOP + (FOOTER - fitted.height) // 2 + 2
    return Placed(fitted, LEFT, y, INK)


def counter_layout(card: CounterCard) -> list[Placed]:
    """The number, as large as fits one line, and the caption below it, in the room left."""
    number = fit_one_line(card.number, TEXT_WIDTH, 196, 96, bold=True)
    # Digits have no descenders: the block is the ink, not the line, so the caption sits close.
    _, ink_top, _, ink_bottom = number.font.getbbox(number.lines[0], anchor="la")
    digits = ink_bottom - ink_top
    room = FOOTER_TOP - TOP - 24 - digits - 2 * GAP
    caption = fit(card.caption, TEXT_WIDTH, room, 52, 28)
    # Number and caption as one block, centred in the space above the footer.
    block = digits + 2 * GAP + caption.height
    top = TOP + max(0, (FOOTER_TOP - TOP - 24 - block) // 2)
    return [
        Placed(number, LEFT - 6, top - ink_top, ACCENT),  # big digits' side bearing: line up
        Placed(caption, LEFT, top + digits + 2 * GAP, INK),
        _footer(card.site_title),
    ]


def statement_layout(card: StatementCard) -> list[Placed]:
    date = fit_one_line(card.date, TEXT_WIDTH, 34, 24, bold=False)
    room = FOOTER_TOP - TOP - date.line_height - GAP - 24
    title = fit(card.title, TEXT_WIDTH, room, 68, 34, bold=True)
    return [
        Placed(date, LEFT, TOP, MUTED),
        Placed(title, LEFT, TOP + date.line_height + GAP, INK),
        _footer(card.site_title),
    ]


def _draw(blocks: list[Placed]) -> bytes:
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, FOOTER_TOP, WIDTH, HEIGHT), fill=PANEL)
    draw.line((0, FOOTER_TOP, WIDTH, FOOTER_TOP), fill=RULE, width=2)
    draw.rectangle((0, 0, BAR - 1, HEIGHT), fill=ACCENT)
    for block in blocks:
        font = block.fitted.font
        for number, line in enumerate(block.fitted.lines):
            y = block.y + number * block.fitted.line_height
            draw.text((block.x, y), line, font=font, fill=block.color, anchor="la")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False, compress_level=6)
    _count_draw()
    return out.getvalue()


_draws = 0
_draws_lock = threading.Lock()


def _count_draw() -> None:
    global _draws
    with _draws_lock:
        _draws += 1


def draw_count() -> int:
    """How many images this process has drawn (the warm path must draw none)."""
    return _draws


@functools.lru_cache(maxsize=64)
def counter_png(card: CounterCard) -> bytes:
    with fonts.DRAWING:
        return _draw(counter_layout(card))


@functools.lru_cache(maxsize=64)
def statement_png(card: StatementCard) -> bytes:
    with fonts.DRAWING:
        return _draw(statement_layout(card))


def forget_drawn() -> None:
    """Drop the kept bytes (tests: the next asking draws)."""
    counter_png.cache_clear()
    statement_png.cache_clear()
