"""Badges over HTTP: SVG and shields.io JSON at a frozen instant, labels, widths, escaping and
errors.

Time is frozen at the reference instant (17:58:00Z on 26 January 2020, a Sunday in GMT): the
clocks read 20:58 Moscow and 17:58 London, Salisbury is at 693 days and Glushkov at 685, and
London's next midnight is 6 h 2 min = 21,720 s away.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import time_machine

from dashboard.cache.live import live_pages
from dashboard.core.snapshot import CounterReading
from dashboard.web.badges.svg import text_width
from dashboard.web.badges.views import days_message, default_label
from tests.helpers.reference import REFERENCE_INSTANT

SVG = "{http://www.w3.org/2000/svg}"
TO_LONDON_MIDNIGHT = 21_720  # 17:58:00Z -> 00:00:00Z (GMT in January)


def badge_texts(svg_bytes: bytes) -> tuple[ET.Element, list[str]]:
    root = ET.fromstring(svg_bytes)  # well-formed XML, or this raises
    assert root.tag == f"{SVG}svg"
    # The visible texts (the shadow copies are aria-hidden).
    texts = [t.text for t in root.iter(f"{SVG}text") if t.get("aria-hidden") != "true"]
    return root, texts


def test_badge_svg_at_a_frozen_instant(client, at_reference):
    response = client.get("/badge/salisbury.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    root, texts = badge_texts(response.data)
    assert texts == ["Salisbury incident", "693 days"]
    assert root.find(f"{SVG}title").text == "Salisbury incident: 693 days"
    assert root.get("aria-label") == "Salisbury incident: 693 days"
    assert root.get("height") == "20"
    # It changes at London's midnight, and caches may keep it until then, not a second more.
    assert response.headers["Cache-Control"] == f"public, max-age={TO_LONDON_MIDNIGHT}"
    etag = response.headers["ETag"]
    again = client.get("/badge/salisbury.svg", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    at_reference.shift(dt.timedelta(seconds=TO_LONDON_MIDNIGHT))
    tomorrow = client.get("/badge/salisbury.svg", headers={"If-None-Match": etag})
    assert tomorrow.status_code == 200
    assert badge_texts(tomorrow.data)[1] == ["Salisbury incident", "694 days"]
    assert tomorrow.headers["Cache-Control"] == "public, max-age=86400"


def test_a_label_spelled_none_is_not_the_default_badge(client, at_reference):
    """Asked first, `?label=None` must not become the bytes every plain badge is served."""
    assert badge_texts(client.get("/badge/salisbury.svg?label=None").data)[1][0] == "None"
    assert badge_texts(client.get("/badge/salisbury.svg").data)[1][0] == "Salisbury incident"


def test_badge_widths_follow_the_text(client, at_reference):
    root, _ = badge_texts(client.get("/badge/salisbury.svg").data)
    label_rect, message_rect = list(root.iter(f"{SVG}rect"))[1:3]
    label_width = int(label_rect.get("width"))
    assert abs(label_width - (text_width("Salisbury incident") + 12)) <= 1
    assert int(root.get("width")) == label_width + int(message_rect.get("width"))
    texts = [t for t in root.iter(f"{SVG}text") if t.get("aria-hidden") != "true"]
    # textLength (in the 10x scaled space) makes any fallback font fill the estimated width.
    assert int(texts[0].get("textLength")) == round(text_width("Salisbury incident") * 10)
    longer, _ = badge_texts(client.get("/badge/salisbury.svg?label=A%20much%20longer%20label").data)
    assert int(longer.get("width")) > int(root.get("width"))


def test_badge_escapes_everything(client, at_reference):
    label = """<b>&"quoted" 'single' ]]> \x01"""
    response = client.get("/badge/salisbury.svg", query_string={"label": label})
    assert response.status_code == 200
    root, texts = badge_texts(response.data)
    assert texts[0] == """<b>&"quoted" 'single' ]]>"""  # the control character is dropped
    assert b"<b>" not in response.data
    data = client.get("/badge/salisbury.json", query_string={"label": label}).json
    assert data["label"] == """<b>&"quoted" 'single' ]]>"""


def test_badge_styles_and_language(client, at_reference):
    square, texts = badge_texts(client.get("/badge/salisbury.svg?style=flat-square").data)
    assert texts == ["Salisbury incident", "693 days"]
    assert square.find(f"{SVG}clipPath") is None  # square corners, no gradient
    big, texts = badge_texts(client.get("/badge/salisbury.svg?style=for-the-badge").data)
    assert texts == ["SALISBURY INCIDENT", "693 DAYS"] and big.get("height") == "28"
    _, texts = badge_texts(client.get("/badge/salisbury.svg?lang=ru").data)
    assert texts == ["С инцидента в Солсбери", "693 дня"]
    _, texts = badge_texts(client.get("/badge/glushkov.svg?lang=ru&label=Глушков").data)
    assert texts == ["Глушков", "685 дней"]


def test_badge_json_is_a_shields_endpoint(client, at_reference):
    response = client.get("/badge/glushkov.json")
    assert response.status_code == 200 and response.is_json
    assert response.headers["Cache-Control"] == f"public, max-age={TO_LONDON_MIDNIGHT}"
    assert response.json == {
        "schemaVersion": 1,
        "label": "Death of Nikolay Glushkov…",
        "message": "685 days",
        "color": "8b1a1a",
        "cacheSeconds": TO_LONDON_MIDNIGHT,
    }
    later = REFERENCE_INSTANT + dt.timedelta(seconds=45)
    with time_machine.travel(later, tick=False):
        assert client.get("/badge/glushkov.json").json["cacheSeconds"] == TO_LONDON_MIDNIGHT - 45


def test_unknown_counter_badges_are_404(client, at_reference):
    svg = client.get("/badge/no-such-counter.svg")
    assert svg.status_code == 404 and svg.mimetype == "image/svg+xml"
    root, texts = badge_texts(svg.data)
    assert texts == ["unknown counter"]
    assert list(root.iter(f"{SVG}rect"))[1].get("fill") == "#9f9f9f"  # grey
    data = client.get("/badge/no-such-counter.json")
    assert data.status_code == 404
    assert data.json["isError"] is True and data.json["message"] == "unknown counter"
    assert data.json["schemaVersion"] == 1


def test_bad_badge_parameters_are_400(client, at_reference):
    svg = client.get("/badge/salisbury.svg?style=plastic")
    assert svg.status_code == 400
    root, _ = badge_texts(svg.data)
    assert "'style'" in root.find(f"{SVG}title").text
    assert client.get("/badge/salisbury.json?lang=de").status_code == 400
    assert client.get("/badge/salisbury.svg", query_string={"label": "x" * 61}).status_code == 400


def _reading(event: str, days: int) -> CounterReading:
    return CounterReading(
        slug="x",
        since=dt.date(2020, 1, 1),
        timezone="UTC",
        days=days,
        text="",
        number="",
        caption="",
        event=event,
        note="",
        next_change=REFERENCE_INSTANT,
    )


def test_badge_labels_and_messages():
    assert default_label(_reading("the Salisbury incident", 1), "en") == "Salisbury incident"
    long = _reading("the death of Nikolay Glushkov on British soil", 1)
    assert default_label(long, "en") == "Death of Nikolay Glushkov…"  # no dangling "on"
    assert default_label(_reading("запуска", -3), "ru") == "До запуска"
    assert days_message(_reading("e", 1), "en") == "1 day"
    assert days_message(_reading("e", 1234), "en") == "1,234 days"
    assert days_message(_reading("e", -2), "en") == "in 2 days"
    assert days_message(_reading("e", 21), "ru") == "21 день"
    assert days_message(_reading("e", 3), "ru") == "3 дня"


# -- next change of a part of the snapshot ----------------------------------------------------
def test_next_change_of_the_parts_shown(app):
    with app.app_context():
        shot = live_pages().snapshot(REFERENCE_INSTANT)
    midnight = dt.datetime(2020, 1, 27, tzinfo=dt.UTC)
    assert shot.next_change_of(shot.clocks[:1], shot.counters) == REFERENCE_INSTANT.replace(
        minute=59
    )
    assert shot.next_change_of((), shot.counters) == midnight
    assert shot.next_change_of((), ()) == shot.date.next_change == midnight


# -- the builder ------------------------------------------------------------------------------
