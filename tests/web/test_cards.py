"""Share cards and the PNG badge over HTTP, at the reference instant (17:58:00Z on 26 January
2020: Salisbury at 693 days, London's midnight 21,720 s away): PNGs of the right size, the
language chosen as pages choose it, ETag, 304 and a max-age that ends at the change, the
statement page's visibility rule, its og:image, and the warm path drawing nothing."""

from __future__ import annotations

import datetime as dt
import io
import re

import time_machine
from PIL import Image

from dashboard.cache import keys
from dashboard.cache.live import pages_of
from dashboard.content import editing, store
from dashboard.content.store import current_store
from dashboard.web.badges import png as badge_drawing
from dashboard.web.badges.svg import geometry
from dashboard.web.badges.views import usual_badges
from dashboard.web.cards import drawing, views
from tests.helpers.reference import REFERENCE_INSTANT

TO_LONDON_MIDNIGHT = 21_720
STATEMENT = "lavrov-raisina-dialogue-2020"  # in the demo, published 16 January 2020


def png(response) -> Image.Image:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "image/png"
    image = Image.open(io.BytesIO(response.data))
    image.load()
    return image


def test_a_counter_card_is_a_png_cached_until_the_counter_changes(client, at_reference):
    response = client.get("/counters/salisbury/card.png")
    assert png(response).size == (1200, 630)
    assert response.headers["Cache-Control"] == f"public, max-age={TO_LONDON_MIDNIGHT}"
    assert response.headers["Vary"] == "Accept-Language, Cookie"  # chosen, not asked for
    etag = response.headers["ETag"]
    again = client.get("/counters/salisbury/card.png", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    russian = client.get("/counters/salisbury/card.png?lang=ru")
    assert png(russian).size == (1200, 630) and russian.data != response.data
    assert "Vary" not in russian.headers
    by_header = client.get("/counters/salisbury/card.png", headers={"Accept-Language": "ru"})
    assert by_header.data == russian.data
    assert client.get("/counters/salisbury/card.png?lang=xx").data == response.data  # lenient
    assert client.get("/counters/nobody/card.png").status_code == 404
    at_reference.shift(dt.timedelta(seconds=TO_LONDON_MIDNIGHT))  # 694 days now
    tomorrow = client.get("/counters/salisbury/card.png", headers={"If-None-Match": etag})
    assert tomorrow.status_code == 200 and tomorrow.headers["ETag"] != etag
    assert tomorrow.headers["Cache-Control"] == "public, max-age=86400"


def test_a_statement_card_exists_exactly_when_its_page_does(app, client):
    soon = REFERENCE_INSTANT + dt.timedelta(hours=2)
    with app.app_context():
        for slug, published, expires in (
            ("card-scheduled", soon, None),
            ("card-expired", REFERENCE_INSTANT - dt.timedelta(days=2), REFERENCE_INSTANT),
            ("card-expiring", REFERENCE_INSTANT, REFERENCE_INSTANT + dt.timedelta(minutes=20)),
        ):
            editing.save_statement(
                {"title": f"Статья {slug}", "slug": slug, "published": published,
                 "expires": expires, "summary": "S", "language": "ru"}
            )  # fmt: skip
    with time_machine.travel(REFERENCE_INSTANT, tick=False):
        for slug, status in (("card-scheduled", 404), ("card-expired", 410), ("nothing", 404)):
            assert client.get(f"/statements/{slug}").status_code == status, slug
            assert client.get(f"/statements/{slug}/card.png").status_code == status, slug
        expiring = client.get("/statements/card-expiring/card.png?lang=ru")
        assert png(expiring).size == (1200, 630)
        assert expiring.headers["Cache-Control"] == "public, max-age=1200"  # its expiry
        card = client.get(f"/statements/{STATEMENT}/card.png")
        assert card.headers["Cache-Control"] == "public, max-age=3600"  # an edit shows soon
        page = client.get(f"/statements/{STATEMENT}", base_url="https://embassy.example").text
        russian = client.get("/statements/card-expiring").text  # read in English
        assert 'content="__ORIGIN__' not in russian
        assert "/statements/card-expiring/card.png?lang=ru" in russian  # in its own language
    with time_machine.travel(soon, tick=False):  # published now: its card is there too
        assert png(client.get("/statements/card-scheduled/card.png")).size == (1200, 630)
    metas = dict(re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)">', page))
    address = f"https://embassy.example/statements/{STATEMENT}/card.png?lang=en"
    assert metas["og:image"] == metas["twitter:image"] == address
    assert (metas["og:image:width"], metas["og:image:height"]) == ("1200", "630")
    assert metas["twitter:card"] == "summary_large_image"
    with time_machine.travel(REFERENCE_INSTANT, tick=False):
        assert client.get(address).data == card.data


def test_the_png_badge_matches_the_svg_badge(client, at_reference):
    response = client.get("/badge/salisbury.png")
    shape = geometry("Salisbury incident", "693 days", "flat")
    image = png(response)
    assert image.size == (shape["width"], shape["height"]) and image.mode == "RGBA"
    assert image.getpixel((0, 0))[3] == 0 and image.getpixel((5, 10))[3] == 255  # rounded
    assert image.getpixel((shape["width"] - 3, 3))[:3] != image.getpixel((3, 3))[:3]
    assert response.headers["Cache-Control"] == f"public, max-age={TO_LONDON_MIDNIGHT}"
    etag = response.headers["ETag"]
    assert client.get("/badge/salisbury.png", headers={"If-None-Match": etag}).status_code == 304
    sharp = png(client.get("/badge/salisbury.png?scale=2&lang=ru&style=for-the-badge"))
    russian = geometry("С инцидента в Солсбери", "693 дня", "for-the-badge")
    assert sharp.size == (2 * russian["width"], 2 * russian["height"])
    unknown = client.get("/badge/nobody.png")
    assert unknown.status_code == 404 and unknown.mimetype == "image/png"
    assert unknown.headers["Cache-Control"] == "no-store"
    too_big = client.get("/badge/salisbury.png?scale=9")
    assert too_big.status_code == 400 and too_big.mimetype == "image/png"


def test_requests_find_the_scheduler_warmed_images_and_draw_nothing(app, at_reference):
    pages = pages_of(app)
    # The scheduler's warming, of the image families only (tests/unit/test_scheduler.py counts
    # them among all the rest): the pages would only make this test slower.
    png_badges = lambda content: [e for e in usual_badges(content) if ".png@" in e[0]]  # noqa: E731
    pages.families = [views.usual_cards, png_badges]
    with app.app_context():
        pages.warm(REFERENCE_INSTANT)
        with current_store().session() as session:
            for locale in ("en", "ru"):
                for key in (
                    keys.card("counter", "salisbury", locale),
                    keys.badge("png@1x", "glushkov", "flat", locale, None),
                    keys.badge("png@2x", "glushkov", "flat", locale, None),
                ):
                    assert store.rendered_bytes(session, key, REFERENCE_INSTANT), key
    # A web process of its own: nothing kept in memory, nothing drawn yet.
    pages_of(app).invalidate()
    drawing.forget_drawn()
    badge_drawing.badge_png.cache_clear()
    before = drawing.draw_count(), badge_drawing.draw_count()
    client = app.test_client()
    for url in (
        "/counters/salisbury/card.png",
        "/counters/glushkov/card.png?lang=ru",
        "/badge/salisbury.png",
        "/badge/glushkov.png?lang=ru&scale=2",
    ):
        assert client.get(url).status_code == 200, url
    assert (drawing.draw_count(), badge_drawing.draw_count()) == before
    # Not warmed (a statement's card): drawn once, then kept while its words stay the same.
    client.get(f"/statements/{STATEMENT}/card.png")
    pages_of(app).invalidate()
    client.get(f"/statements/{STATEMENT}/card.png")
    assert drawing.draw_count() == before[0] + 1
