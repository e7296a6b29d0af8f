"""Drawing share cards: the size, Cyrillic really drawn in the shipped font, and long text
wrapped, shrunk and cut so that nothing leaves the canvas."""

from __future__ import annotations

import io

from PIL import Image, ImageChops

from dashboard.web import fonts
from dashboard.web.cards import drawing, text
from dashboard.web.cards.drawing import CounterCard, StatementCard

SITE_EN = "Embassy of the Russian Federation in the United Kingdom"
SITE_RU = "Посольство Российской Федерации в Соединённом Королевстве"
RUSSIAN = "дня прошло с инцидента в Солсбери - никакой достоверной информации"
NOTDEF = "\ue000"  # a private-use character DejaVu has no glyph for: the .notdef box


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    image.load()  # decodes every row: a truncated or corrupt PNG raises here
    return image


def ink(image: Image.Image, box: tuple[int, int, int, int]) -> int:
    """How many pixels in `box` are not the background."""
    region = image.convert("RGB").crop(box)
    background = Image.new("RGB", region.size, drawing.BACKGROUND)
    difference = ImageChops.difference(region, background).convert("L")
    return sum(difference.point(lambda value: 255 if value > 40 else 0).histogram()[255:])


def test_cyrillic_is_drawn_with_its_own_glyphs():
    font = fonts.font(40)
    box = font.getmask(NOTDEF)
    # Every letter of the Russian alphabet has a glyph of its own, not the missing-glyph box.
    for letter in "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюя":
        mask = font.getmask(letter)
        assert mask.size != box.size or bytes(mask) != bytes(box), letter
    # On the card: the caption box holds ink, and two Russian captions (and the same length of
    # missing glyphs) draw different pixels there.
    caption_box = (drawing.LEFT, 260, drawing.WIDTH - drawing.RIGHT, drawing.FOOTER_TOP - 8)
    russian = opened(drawing.counter_png(CounterCard("693", RUSSIAN, SITE_RU)))
    other = opened(drawing.counter_png(CounterCard("693", RUSSIAN[::-1], SITE_RU)))
    boxes = opened(drawing.counter_png(CounterCard("693", NOTDEF * len(RUSSIAN), SITE_RU)))
    assert russian.size == (1200, 630) and russian.mode == "RGB"
    assert ink(russian, caption_box) > 5000
    differing = ImageChops.difference(russian.crop(caption_box), other.crop(caption_box))
    assert differing.getbbox() is not None
    assert ImageChops.difference(russian, boxes).crop(caption_box).getbbox() is not None


def inside(block: drawing.Placed, left: float, top: float, right: float, bottom: float) -> bool:
    return all(
        left <= x0 and top <= y0 and x1 <= right and y1 <= bottom
        for x0, y0, x1, y1 in block.line_boxes()
    )


def test_long_texts_wrap_shrink_and_stop_inside_the_canvas():
    event = ("the longest event a press office ever wrote, with clauses upon clauses " * 5)[:300]
    card = CounterCard("12\u00a0345", f"days have passed since {event} - a note", SITE_EN)
    number, caption, footer = drawing.counter_layout(card)
    right = drawing.WIDTH - drawing.RIGHT
    assert number.fitted.lines == ("12\u00a0345",)  # the no-break space keeps it one number
    # 300 characters fit whole, at a smaller size; three times as many are cut at the floor.
    assert len(caption.fitted.lines) > 2 and caption.fitted.size < 52
    assert not caption.fitted.cut and " ".join(caption.fitted.lines) == card.caption
    assert inside(number, drawing.BAR, 0, right, caption.y)
    assert inside(caption, drawing.LEFT, caption.y, right, drawing.FOOTER_TOP)
    assert inside(footer, drawing.LEFT, drawing.FOOTER_TOP, right, drawing.HEIGHT)
    endless = CounterCard("12 345", card.caption * 3, SITE_EN)
    _, cut, _ = drawing.counter_layout(endless)
    assert cut.fitted.cut and cut.fitted.size == 28
    assert cut.fitted.lines[-1].endswith(text.ELLIPSIS)
    assert inside(cut, drawing.LEFT, cut.y, right, drawing.FOOTER_TOP)

    title = "Заявление Министерства иностранных дел Российской Федерации " * 6
    address = "https://example.org/" + "очень-длинный-адрес-" * 12  # one word wider than a line
    for words in (title, address):
        date, fitted_title, footer = drawing.statement_layout(
            StatementCard(words, "5 ноября 2019 г.", SITE_RU)
        )
        assert inside(date, drawing.LEFT, 0, right, fitted_title.y)
        assert inside(fitted_title, drawing.LEFT, fitted_title.y, right, drawing.FOOTER_TOP)
        assert inside(footer, drawing.LEFT, drawing.FOOTER_TOP, right, drawing.HEIGHT)
    assert len(fitted_title.fitted.lines) > 1  # the long address was broken between letters

    # Drawn, the margin to the right of the text holds no ink.
    image = opened(drawing.counter_png(card))
    assert ink(image, (right + 2, 0, drawing.WIDTH, drawing.FOOTER_TOP - 2)) == 0


def test_a_short_caption_keeps_its_largest_size_and_every_word():
    fitted = text.fit("days have passed since the Salisbury incident", 1000, 300, 52, 28)
    assert fitted.size == 52 and not fitted.cut
    assert " ".join(fitted.lines) == "days have passed since the Salisbury incident"
