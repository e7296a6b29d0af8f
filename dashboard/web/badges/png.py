"""The badge as a PNG, for e-mail clients that show no SVG: the same parts, widths and colours as
svg.py's geometry and templates/badges/badge.svg, drawn with Pillow in the shipped DejaVu Sans
(whose widths svg.py's estimates are), at 1x or, for sharp screens, 2x or 3x."""

from __future__ import annotations

import functools
import io
import threading

from PIL import Image, ImageDraw

from dashboard.web import fonts
from dashboard.web.badges.svg import geometry

LABEL_COLOR = "#555555"  # the template's label part
SHADOW = (1, 1, 1, 77)  # #010101 at .3 opacity, 1px lower: shields' shadow
SPACING = {"for-the-badge": 1.25}  # letter-spacing, px at 1x, as geometry() counts it
MAX_SCALE = 3


@functools.lru_cache(maxsize=256)
def badge_png(label: str, message: str, color: str, style: str, scale: int = 1) -> bytes:
    """The badge's PNG bytes; kept per text, colour, style and scale."""
    with fonts.DRAWING:
        return _draw(label, message, color, style, scale)


def _draw(label: str, message: str, color: str, style: str, scale: int) -> bytes:
    shape = geometry(label, message, style)
    width, height = shape["width"] * scale, shape["height"] * scale
    label_width = shape["label_width"] * scale
    image = Image.new("RGB", (width, height), LABEL_COLOR)
    draw = ImageDraw.Draw(image, "RGBA")  # blends: the gradient and shadow are translucent
    draw.rectangle((label_width, 0, width, height), fill=color)
    flat = style == "flat"
    if flat:  # the template's gradient: #bbb at the top to black at the bottom, both at .1
        for y in range(height):
            grey = round(0xBB * (1 - y / max(1, height - 1)))
            draw.line((0, y, width, y), fill=(grey, grey, grey, 26))
    size = shape["font_size"] / 10 * scale
    spacing = SPACING.get(style, 0.0) * scale
    for text in shape["texts"]:
        font = fonts.font(round(size), bold=text.bold)
        centre, baseline = text.x / 10 * scale, text.y / 10 * scale
        if flat:
            _centred(draw, text.content, font, centre, baseline + scale, spacing, SHADOW)
        _centred(draw, text.content, font, centre, baseline, spacing, "#ffffff")
    if flat:  # rounded corners, rx=3, as the template's clip path
        mask = Image.new("L", image.size, 0)
        ImageDraw.Draw(mask).rounded_rectangle((0, 0, width - 1, height - 1), 3 * scale, 255)
        image.putalpha(mask)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    _count()
    return out.getvalue()


def _centred(draw: ImageDraw.ImageDraw, text: str, font, centre, baseline, spacing, fill) -> None:
    if not spacing:
        draw.text((centre, baseline), text, font=font, fill=fill, anchor="ms")
        return
    advances = [font.getlength(char) + spacing for char in text]
    x = centre - (sum(advances) - spacing) / 2
    for char, advance in zip(text, advances, strict=True):
        draw.text((x, baseline), char, font=font, fill=fill, anchor="ls")
        x += advance


_drawn = 0
_drawn_lock = threading.Lock()


def _count() -> None:
    global _drawn
    with _drawn_lock:
        _drawn += 1


def draw_count() -> int:
    """How many badges this process has drawn (the warm path must draw none)."""
    return _drawn
