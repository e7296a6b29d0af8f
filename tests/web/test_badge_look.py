"""The badge's look lives in templates/badges/badge.svg and its colour in dashboard.config: the
accent is the page's, so the badge, the page's CSS and the widget cannot drift apart."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from dashboard import config
from dashboard.web.badges.svg import svg

SVG = "{http://www.w3.org/2000/svg}"
HEX = r"#[0-9A-Fa-f]{3,8}"


def css_variable(css: str, name: str) -> str:
    """A custom property of the stylesheet's top-level :root rule (the light theme)."""
    (rule,) = re.findall(r"(?m)^:root\s*\{([^}]*)\}", css)
    (value,) = re.findall(rf"(?:^|[\s;]){re.escape(name)}:\s*({HEX})\b", rule)
    return value.lower()


def fills(svg_bytes: bytes) -> list[str]:
    return [rect.get("fill") for rect in ET.fromstring(svg_bytes).iter(f"{SVG}rect")]


def test_the_css_accent_is_the_badge_colour(app):
    css = (Path(app.static_folder) / "dashboard.css").read_text(encoding="utf-8")
    assert css_variable(css, "--accent") == config.ACCENT.lower()
    # The widget carries its own copy of the light palette, inline.
    widget, _, _ = app.jinja_env.loader.get_source(app.jinja_env, "embed/widget.html")
    (light,) = re.findall(r'{% set light = "([^"]*)" %}', widget)
    assert re.search(rf"--ac:({HEX})", light).group(1).lower() == config.ACCENT.lower()


def test_badges_are_drawn_in_the_named_colours(client, at_reference):
    assert config.ACCENT in fills(client.get("/badge/salisbury.svg").data)
    assert client.get("/badge/salisbury.json").json["color"] == config.ACCENT.removeprefix("#")
    assert config.BADGE_ERROR_COLOR in fills(client.get("/badge/no-such-counter.svg").data)
    error = client.get("/badge/no-such-counter.json").json
    assert error["color"] == config.BADGE_ERROR_COLOR.removeprefix("#")


def test_the_template_draws_what_python_measures(app):
    """Geometry comes in from Python; the template places it and escapes every text."""
    with app.app_context():
        drawn = svg("<Label & 'co'>", "693 days", config.ACCENT, "flat-square")
    root = ET.fromstring(drawn)
    label, message = root.iter(f"{SVG}rect")  # flat-square: no clip, no gradient
    label_width, message_width = int(label.get("width")), int(message.get("width"))
    texts = list(root.iter(f"{SVG}text"))
    assert [t.text for t in texts] == ["<Label & 'co'>", "693 days"]
    assert "&lt;Label &amp; &#39;co&#39;&gt;" in drawn
    assert int(root.get("width")) == label_width + message_width
    assert message.get("x") == label.get("width") and message.get("fill") == config.ACCENT
    # Each text is centred on its part, in the 10x space of transform="scale(.1)".
    assert int(texts[0].get("x")) == round(label_width * 10 / 2)
    assert int(texts[1].get("x")) == round((label_width + message_width / 2) * 10)
    assert drawn.endswith("</svg>\n")
