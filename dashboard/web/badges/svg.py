"""A badge's geometry and shields.io's endpoint JSON. Text widths are estimated from Verdana's
metrics; the SVG itself is templates/badges/badge.svg, which escapes every text."""

from __future__ import annotations

import dataclasses
import json
import re
import unicodedata

from flask import render_template

# Advance widths in px at 11 px, measured from DejaVu Sans (Verdana's metric twin, and what
# "Verdana,Geneva,DejaVu Sans" renders as where there is no Verdana), for U+0020-U+007E and
# U+0410-U+044F. textLength makes any font fill exactly the estimated width.
_ASCII = (
    "3.5 4.4 5.1 9.2 7 10.5 8.6 3 4.3 4.3 5.5 9.2 3.5 4 3.5 3.7 7 7 7 7 7 7 7 7 7 7 3.7 3.7 9.2 "
    "9.2 9.2 5.8 11 7.5 7.5 7.7 8.5 7 6.3 8.5 8.3 3.2 3.2 7.2 6.1 9.5 8.2 8.7 6.6 8.7 7.6 7 6.7 "
    "8.1 7.5 10.9 7.5 6.7 7.5 4.3 3.7 4.3 9.2 5.5 5.5 6.7 7 6 7 6.8 3.9 7 7 3.1 3.1 6.4 3.1 10.7 "
    "7 6.7 7 7 4.5 5.7 4.3 7 6.5 9 6.5 6.5 5.8 7 3.7 7 9.2"
)
_CYRILLIC = (
    "7.5 7.5 7.5 6.7 8.6 7 11.8 7.1 8.2 8.2 7.8 8.3 9.5 8.3 8.7 8.3 6.6 7.7 6.7 6.7 9.5 7.5 8.5 "
    "7.5 11.8 12 9.2 9.7 7.5 7.7 11.9 7.6 6.7 6.8 6.5 5.8 7.6 6.8 9.9 5.8 7.1 7.1 6.6 7 8.3 7.2 "
    "6.7 7.2 7 6 6.4 6.5 9.4 6.5 7.5 6.5 10.1 10.4 7.8 8.7 6.5 6 9.3 6.6"
)
WIDTHS: dict[str, float] = {
    **{chr(0x20 + i): float(w) for i, w in enumerate(_ASCII.split())},
    **{chr(0x410 + i): float(w) for i, w in enumerate(_CYRILLIC.split())},
    "ё": 6.8, "Ё": 7.0, "…": 11.0, "№": 11.4, "–": 5.5, "—": 11.0, "’": 3.5, "\u00a0": 3.5,
    "\u202f": 2.5,
}  # fmt: skip
FALLBACK_WIDTH = 7.5  # roughly an average letter
WIDE_WIDTH = 11.0  # CJK and other full-width characters
# Characters XML 1.0 cannot carry at all, even escaped.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def text_width(text: str, size: float = 11.0) -> float:
    """Estimated width in px of `text` in Verdana at `size` px."""
    total = 0.0
    for char in text:
        width = WIDTHS.get(char)
        if width is None:
            wide = unicodedata.east_asian_width(char) in ("W", "F")
            width = WIDE_WIDTH if wide else FALLBACK_WIDTH
        total += width
    return total * size / 11.0


@dataclasses.dataclass(frozen=True)
class BadgeText:
    """One text of a badge, in the template's 10x scaled space (transform="scale(.1)")."""

    content: str
    x: int  # the centre of its part
    y: int  # the baseline
    length: int  # textLength: any font is stretched to the estimated width
    bold: bool


def geometry(label: str, message: str, style: str) -> dict:
    """Everything about a badge's size that follows from its texts and style: the template's
    context, but for colour and title. An empty label gives a badge of one part."""
    big = style == "for-the-badge"
    if big:
        label, message = label.upper(), message.upper()
    size, pad, height = (10.0, 12, 28) if big else (11.0, 6, 20)
    spacing = 1.25 if big else 0.0
    label_text = text_width(label, size) * (1.07 if big else 1) + spacing * len(label)
    message_text = text_width(message, size) * (1.07 if big else 1) + spacing * len(message)
    label_w = round(label_text + 2 * pad) if label else 0
    message_w = round(message_text + 2 * pad)
    baseline = 175 if big else 140

    def text(content: str, left: int, box: int, length: float, bold: bool) -> BadgeText:
        x = round((left + box / 2) * 10)
        return BadgeText(content, x, baseline, round(length * 10), bold)

    texts = [text(label, 0, label_w, label_text, bold=False)] if label else []
    texts.append(text(message, label_w, message_w, message_text, bold=big))
    return {
        "width": label_w + message_w,
        "height": height,
        "label_width": label_w,
        "message_width": message_w,
        "font_size": round(size * 10),
        "texts": texts,
    }


def svg(label: str, message: str, color: str, style: str, title: str = "") -> str:
    """A shields-like badge drawn by templates/badges/badge.svg (needs an app context).
    `color` is the message part's, e.g. "#8b1a1a"; `title` defaults to "label: message"."""
    shape = geometry(label, message, style)
    title = title or ": ".join(text.content for text in shape["texts"])  # as shown: upper-cased
    context = {"style": style, "color": color, "title": title, **shape}
    return render_template("badges/badge.svg", **context) + "\n"


def endpoint_json(label: str, message: str, color: str, cache_seconds: str | None) -> str:
    """shields.io's endpoint schema; cacheSeconds is a mark filled in per request. `color` as
    for svg(); the endpoint takes it without its "#"."""
    color = color.lstrip("#")
    data: dict = {"schemaVersion": 1, "label": label, "message": message, "color": color}
    if cache_seconds is None:
        data["isError"] = True
        return json.dumps(data, ensure_ascii=False)
    data["cacheSeconds"] = cache_seconds
    # The mark must stand as a bare number once filled; a quote in a label is escaped, so only
    # this value can match.
    text = json.dumps(data, ensure_ascii=False)
    return text.replace(f'"{cache_seconds}"', cache_seconds)
