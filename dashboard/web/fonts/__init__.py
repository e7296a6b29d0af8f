"""The fonts images are drawn with: DejaVu Sans and DejaVu Sans Bold (Latin, Cyrillic, Greek
and more), shipped in this folder with their licence (LICENSE, from Debian's
fonts-dejavu-core 2.37), so a machine without system fonts draws the same images. Loaded by
path relative to this package, never from the system."""

from __future__ import annotations

import functools
import threading
from pathlib import Path

from PIL import ImageFont

FOLDER = Path(__file__).resolve().parent
REGULAR = FOLDER / "DejaVuSans.ttf"
BOLD = FOLDER / "DejaVuSans-Bold.ttf"
# FreeType's faces may be used by one thread at a time, and the fonts below are shared: images
# are measured and drawn under this lock. The GIL serialises it today; free-threaded Python
# would not (Pillow issue 9497). Drawings are rare (kept, and warmed ahead), so it costs nothing.
DRAWING = threading.Lock()


@functools.lru_cache(maxsize=256)
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """The font at `size` px. Basic layout (FreeType alone): the same glyphs and widths on
    every machine, whether or not it has libraqm, so the same card makes the same bytes."""
    path = BOLD if bold else REGULAR
    return ImageFont.truetype(str(path), size=size, layout_engine=ImageFont.Layout.BASIC)
