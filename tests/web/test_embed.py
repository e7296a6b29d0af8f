"""Embedding over HTTP: /embed, framing headers, oEmbed and its discovery, badges, the builder.

Time is frozen at the reference instant (17:58:00Z on 26 January 2020, a Sunday in GMT): the
clocks read 20:58 Moscow and 17:58 London, Salisbury is at 693 days and Glushkov at 685, and
London's next midnight is 6 h 2 min = 21,720 s away.
"""

from __future__ import annotations

import datetime as dt
import html.parser
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine

from dashboard import config, create_app
from dashboard.cache.live import fill_delay, live_pages
from dashboard.core.snapshot import CounterReading
from dashboard.web.badges.svg import text_width
from dashboard.web.badges.views import days_message, default_label
from tests.helpers.reference import REFERENCE_INSTANT

SVG = "{http://www.w3.org/2000/svg}"
TO_LONDON_MIDNIGHT = 21_720  # 17:58:00Z -> 00:00:00Z (GMT in January)
HOST = "http://dash.example:8080"  # the test client's host, so that absolute URLs show theirs
NEWEST_THREE = ["16.01.2020", "15.01.2020", "14.01.2020"]
SIZE_BUDGET = 6 * 1024


class _Tags(html.parser.HTMLParser):
    """Start tags with their attributes, in document order."""

    def __init__(self, text: str):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def find(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [
            a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())
        ]


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")


def delay_ms(html: str) -> int:
    return int(re.search(r'hx-trigger="load delay:(\d+)ms', html).group(1))


def refresh_seconds(html: str) -> int:
    noscript = re.search(r"<noscript>(.*?)</noscript>", html, flags=re.S).group(1)
    return int(re.search(r'<meta http-equiv="refresh" content="(\d+)">', noscript).group(1))


def hx_get(html: str) -> str:
    return re.search(r'hx-get="([^"]+)"', html).group(1).replace("&amp;", "&")


# -- /embed -----------------------------------------------------------------------------------
def test_embed_shows_only_the_parts_asked_for(client, at_reference):
    response = client.get("/embed?clocks=London&counters=salisbury")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = text_of(html)
    assert "London: 17:58" in text and "Moscow" not in text
    assert "693 days have passed since the Salisbury incident" in text
    assert "Glushkov" not in text and "16.01.2020" not in text
    assert html.startswith("<!doctype html>")
    # Nothing asked for: all the clocks and counters, no statements.
    everything = text_of(client.get("/embed").get_data(as_text=True))
    assert "Moscow: 20:58" in everything and "London: 17:58" in everything
    assert "693 days" in everything and "685 days" in everything
    assert "16.01.2020" not in everything


def test_embed_lists_the_newest_statements_with_dates(client, at_reference):
    html = client.get("/embed?counters=salisbury&statements=3").get_data(as_text=True)
    items = re.findall(r'<time datetime="[^"]+">(\d\d\.\d\d\.\d{4})</time> <a href="([^"]+)"', html)
    assert [date for date, _ in items] == NEWEST_THREE
    assert items[0][1] == "/statements/lavrov-raisina-dialogue-2020"
    assert 'target="_blank" rel="noopener"' in html  # out of the frame, into a tab


def test_embed_with_clocks_asks_again_at_the_next_minute(client):
    half = REFERENCE_INSTANT + dt.timedelta(seconds=30, milliseconds=250)
    with time_machine.travel(half, tick=False):
        response = client.get("/embed?clocks=London&counters=salisbury")
    html = response.get_data(as_text=True)
    # 29.75 s to 17:59:00 plus the 100 ms margin; the no-JS reload rounds that up.
    assert delay_ms(html) == 29_850
    assert refresh_seconds(html) == 30
    assert response.headers["Cache-Control"] == "public, max-age=29"
    assert response.headers["Vary"] == "HX-Request"


def test_embed_of_counters_only_asks_again_at_their_midnight(client, at_reference):
    response = client.get("/embed?counters=salisbury,glushkov")
    html = response.get_data(as_text=True)
    assert delay_ms(html) == TO_LONDON_MIDNIGHT * 1000 + 100
    assert refresh_seconds(html) == TO_LONDON_MIDNIGHT + 1
    assert response.headers["Cache-Control"] == f"public, max-age={TO_LONDON_MIDNIGHT}"


def test_embed_fragment_is_its_live_block_and_asks_for_itself(client, at_reference):
    page = client.get("/embed?counters=salisbury&clocks=London&statements=2&lang=en")
    page_html = page.get_data(as_text=True)
    url = hx_get(page_html)
    assert urlsplit(url).path == "/embed"
    assert parse_qs(urlsplit(url).query) == {
        "clocks": ["London"],
        "counters": ["salisbury"],
        "statements": ["2"],
        "lang": ["en"],
    }
    fragment = client.get(url, headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert body.startswith('<section id="live"') and "<html" not in body
    assert body.strip() in page_html  # one copy of the markup
    assert hx_get(body) == url  # and the fragment keeps asking for the same thing
    assert fragment.headers["Vary"] == "HX-Request"
    assert fragment.headers["ETag"] != page.headers["ETag"]


def test_embed_queries_are_normalised_into_one_cache_entry(client, at_reference):
    canonical = client.get("/embed?counters=salisbury&lang=en")
    for spelling in (
        "/embed?counters=SALISBURY,salisbury",
        "/embed?counters=%20salisbury%20&statements=0&theme=auto&transparent=0",
        "/embed?counters=salisbury&clocks=",
    ):
        response = client.get(spelling)
        assert response.status_code == 200, spelling
        assert response.headers["ETag"] == canonical.headers["ETag"], spelling


def test_embed_uses_the_same_snapshot_language_and_sets_no_cookie(client, at_reference):
    response = client.get("/embed?counters=salisbury&lang=ru")
    text = text_of(response.get_data(as_text=True))
    assert "693 дня прошло с инцидента в Солсбери" in text
    assert "Set-Cookie" not in response.headers
    # A reader's language cookie from the dashboard itself does not change a widget's language.
    client.set_cookie("lang", "ru")
    english = client.get("/embed?counters=salisbury", headers={"Accept-Language": "ru"})
    assert "693 days have passed" in text_of(english.get_data(as_text=True))
    assert "Set-Cookie" not in english.headers


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("clocks=Paris", "'clocks'"),
        ("counters=salisbury,nope", "'counters'"),
        ("statements=11", "'statements'"),
        ("statements=-1", "'statements'"),
        ("statements=two", "'statements'"),
        ("theme=blue", "'theme'"),
        ("lang=de", "'lang'"),
        ("transparent=yes", "'transparent'"),
    ],
)
def test_embed_rejects_bad_parameters_naming_them(client, at_reference, query, parameter):
    response = client.get(f"/embed?{query}")
    assert response.status_code == 400
    text = text_of(response.get_data(as_text=True))
    assert parameter in text
    assert response.headers["Cache-Control"] == "no-store"


def test_embed_themes_and_transparency(client, at_reference):
    auto = client.get("/embed?counters=salisbury").get_data(as_text=True)
    assert "color-scheme:light dark" in auto and "@media (prefers-color-scheme:dark)" in auto
    dark = client.get("/embed?counters=salisbury&theme=dark").get_data(as_text=True)
    assert ":root{--bg:#141414" in dark and "color-scheme:dark" in dark
    assert "prefers-color-scheme" not in dark
    light = client.get("/embed?counters=salisbury&theme=light").get_data(as_text=True)
    assert ":root{--bg:#fdfdfb" in light and "prefers-color-scheme" not in light
    clear = client.get("/embed?counters=salisbury&transparent=1").get_data(as_text=True)
    assert "html{background:transparent" in clear
    # A frame whose color-scheme differs from its page gets an opaque backdrop in Chromium.
    assert not re.search(r"[{;]color-scheme:", clear)


def test_embed_is_small(client, at_reference, capsys):
    """HTML and CSS together (the CSS is inline: no stylesheet to fetch) stay under 6 KB, even
    with everything shown and the five newest statements, in either language."""
    sizes = {}
    for query in ("", "?statements=5", "?statements=5&lang=ru", "?counters=salisbury"):
        response = client.get(f"/embed{query}")
        html = response.get_data(as_text=True)
        assert not _Tags(html).find("link", rel="stylesheet")
        assert "<style>" in html
        sizes[query or "(all)"] = len(response.data)
    scripts = {}
    for name in ("live.js", "embed-frame.js"):
        with client.get(f"/static/{name}") as response:
            scripts[name] = len(response.data)
    with capsys.disabled():
        print(f"\nembed HTML+CSS bytes: {sizes}; its own scripts (not counted): {scripts}")
    assert max(sizes.values()) <= SIZE_BUDGET, sizes


def test_embed_reads_completely_without_javascript(client, at_reference):
    html = client.get("/embed?clocks=Moscow,London&counters=salisbury").get_data(as_text=True)
    # Everything is in the markup; the only script-free need is to reload at the next change.
    assert "Moscow: 20:58" in text_of(html) and "693" in text_of(html)
    assert refresh_seconds(html) == 61  # 60 s to 17:59:00, the 100 ms margin rounded up
    assert "__NEXT_" not in html and "__ORIGIN__" not in html


# -- framing ----------------------------------------------------------------------------------
def test_only_the_embed_may_be_framed_by_other_sites(client, at_reference):
    embed = client.get("/embed")
    assert embed.headers["Content-Security-Policy"] == "frame-ancestors *"
    assert "X-Frame-Options" not in embed.headers
    fragment = client.get("/embed", headers={"HX-Request": "true"})
    assert fragment.headers["Content-Security-Policy"] == "frame-ancestors *"
    bad = client.get("/embed?theme=blue")  # its error page may show inside the frame too
    assert bad.headers["Content-Security-Policy"] == "frame-ancestors *"
    for url in (
        "/",
        "/statements",
        "/statements/lavrov-times-of-india-2020",
        "/embed/builder",
        "/api/v1/snapshot",
        "/badge/salisbury.svg",
        "/oembed?url=http://localhost/",
        "/static/dashboard.css",
        "/no-such-page",
    ):
        with client.get(url) as response:
            assert response.headers["Content-Security-Policy"] == "frame-ancestors 'self'", url
            assert response.headers["X-Frame-Options"] == "SAMEORIGIN", url


def test_embed_allowed_origins_restrict_framing(app, client, at_reference):
    app.config["EMBED_ALLOWED_ORIGINS"] = "https://a.example, https://*.b.example  self"
    response = client.get("/embed")
    # 'self' always: the builder previews the widget in a frame of the dashboard's own.
    assert response.headers["Content-Security-Policy"] == (
        "frame-ancestors 'self' https://a.example https://*.b.example"
    )
    app.config["EMBED_ALLOWED_ORIGINS"] = "none"
    assert client.get("/embed").headers["Content-Security-Policy"] == "frame-ancestors 'self'"


def test_embed_allowed_origins_come_from_the_environment(database_url, tmp_path):
    found = config.from_environment({"EMBED_ALLOWED_ORIGINS": "https://a.example"})
    assert found == {"EMBED_ALLOWED_ORIGINS": "https://a.example"}
    assert config.defaults()["EMBED_ALLOWED_ORIGINS"] == "*"
    with pytest.raises(ValueError, match=r"EMBED_ALLOWED_ORIGINS: 'https://a.example/x;'"):
        create_app(
            {
                "TESTING": True,
                "DATABASE_URL": database_url,
                "INSTANCE_PATH": str(tmp_path),
                "EMBED_ALLOWED_ORIGINS": "https://ok.example https://a.example/x;",
            }
        )


def test_framing_keeps_other_csp_directives(empty_app):
    seen = {}

    @empty_app.get("/with-csp")
    def with_csp():
        return "x", {"Content-Security-Policy": "default-src 'self'; img-src *;"}

    @empty_app.get("/own-ancestors")
    def own_ancestors():
        return "x", {"Content-Security-Policy": "frame-ancestors https://partner.example"}

    client = empty_app.test_client()
    seen["with"] = client.get("/with-csp").headers["Content-Security-Policy"]
    seen["own"] = client.get("/own-ancestors").headers["Content-Security-Policy"]
    assert seen == {
        "with": "default-src 'self'; img-src *; frame-ancestors 'self'",
        "own": "frame-ancestors https://partner.example",
    }


# -- oEmbed -----------------------------------------------------------------------------------
RICH_REQUIRED = {"type": str, "version": str, "html": str, "width": int, "height": int}


def assert_rich(data: dict) -> None:
    """oEmbed 1.0, section 2.3.4: the fields every response has, and those of type rich."""
    for field, kind in RICH_REQUIRED.items():
        assert isinstance(data.get(field), kind), (field, data.get(field))
    assert data["type"] == "rich" and data["version"] == "1.0"
    assert data["width"] > 0 and data["height"] > 0
    for field in ("title", "provider_name", "provider_url"):
        assert isinstance(data[field], str) and data[field]
    assert isinstance(data["cache_age"], int) and data["cache_age"] > 0


def iframe_of(html_snippet: str) -> dict[str, str | None]:
    (frame,) = _Tags(html_snippet).find("iframe")
    return frame


def test_oembed_answers_rich_with_an_iframe_of_the_embed(client, at_reference):
    response = client.get(
        "/oembed",
        query_string={"url": f"{HOST}/embed?counters=salisbury&statements=2", "format": "json"},
        base_url=HOST,
    )
    assert response.status_code == 200 and response.is_json
    data = response.json
    assert_rich(data)
    assert data["provider_url"] == f"{HOST}/"
    frame = iframe_of(data["html"])
    assert (frame["width"], frame["height"]) == (str(data["width"]), str(data["height"]))
    src = urlsplit(frame["src"])
    assert f"{src.scheme}://{src.netloc}{src.path}" == f"{HOST}/embed"
    assert parse_qs(src.query) == {"counters": ["salisbury"], "statements": ["2"], "lang": ["en"]}
    # The iframe it hands out is a working embed.
    embed = client.get(frame["src"].removeprefix(HOST), base_url=HOST)
    assert embed.status_code == 200 and "693" in embed.get_data(as_text=True)


def test_oembed_keeps_within_maxwidth_and_maxheight(client, at_reference):
    data = client.get(
        "/oembed",
        query_string={"url": f"{HOST}/", "maxwidth": "300", "maxheight": "90"},
        base_url=HOST,
    ).json
    assert data["width"] <= 300 and data["height"] <= 90
    frame = iframe_of(data["html"])
    assert (frame["width"], frame["height"]) == (str(data["width"]), str(data["height"]))
    wide = client.get("/oembed", query_string={"url": f"{HOST}/"}, base_url=HOST).json
    assert wide["width"] == 480


def test_oembed_for_a_statement_is_titled_with_it(client, at_reference):
    url = f"{HOST}/statements/lavrov-times-of-india-2020"
    data = client.get("/oembed", query_string={"url": url}, base_url=HOST).json
    assert_rich(data)
    assert data["title"].startswith("Interview of Foreign Minister Sergey Lavrov")


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"url": "https://elsewhere.example/"}, 404),
        ({"url": f"{HOST}/statements"}, 404),  # the archive is not embeddable
        ({"url": f"{HOST}/statements/no-such-statement"}, 404),
        ({"url": f"{HOST}/embed?clocks=Paris"}, 404),
        ({"url": f"{HOST}/api/v1/snapshot"}, 404),
        ({"url": "javascript:alert(1)"}, 404),
        ({"url": f"{HOST}/", "format": "xml"}, 501),
        ({"url": f"{HOST}/", "maxwidth": "wide"}, 400),
        ({"url": f"{HOST}/", "maxwidth": "0"}, 400),
        ({"url": f"{HOST}/", "maxheight": "-20"}, 400),
        ({}, 400),
    ],
)
def test_oembed_errors(client, at_reference, query, status):
    response = client.get("/oembed", query_string=query, base_url=HOST)
    assert response.status_code == status
    assert response.is_json and response.json["error"]


def discover(html: str) -> str:
    links = _Tags(html).find("link", rel="alternate", type="application/json+oembed")
    assert len(links) == 1, links
    assert links[0]["title"]
    return links[0]["href"]


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("/", "Embassy of the Russian Federation in the United Kingdom"),
        ("/statements/lavrov-times-of-india-2020", "Interview of Foreign Minister Sergey Lavrov"),
    ],
)
def test_pages_advertise_oembed_and_discovery_works(client, at_reference, path, title):
    href = discover(client.get(path, base_url=HOST).get_data(as_text=True))
    assert href.startswith(f"{HOST}/oembed?")
    assert parse_qs(urlsplit(href).query)["format"] == ["json"]
    assert parse_qs(urlsplit(href).query)["url"] == [f"{HOST}{path}?lang=en"]
    found = client.get(href.removeprefix(HOST), base_url=HOST)
    assert found.status_code == 200
    assert_rich(found.json)
    assert found.json["title"].startswith(title)


def test_discovery_link_names_the_host_even_in_warmed_bytes(app, client, at_reference):
    """The scheduler renders the page outside any request; the link must still carry the host
    each reader asked, not the one the scheduler made up."""
    with app.app_context():
        assert live_pages().warm(REFERENCE_INSTANT) > 0
    for host in (HOST, "https://other.example"):
        html = client.get("/", base_url=host).get_data(as_text=True)
        assert discover(html).startswith(f"{host}/oembed?url={host}/")


def test_archive_and_errors_advertise_no_oembed(client, at_reference):
    for path in ("/statements", "/no-such-page"):
        assert "json+oembed" not in client.get(path).get_data(as_text=True)


def test_an_odd_host_header_gets_relative_urls_not_markup():
    body = b'<link href="__ORIGIN__/oembed">'
    at = REFERENCE_INSTANT
    assert fill_delay(body, at, at, 'http://x"><script>') == b'<link href="/oembed">'
    assert fill_delay(body, at, at, "https://ok.example:8443") == (
        b'<link href="https://ok.example:8443/oembed">'
    )


# -- badges -----------------------------------------------------------------------------------
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
def snippet(html: str, name: str) -> str:
    found = re.search(rf'<textarea id="snippet-{name}"[^>]*>(.*?)</textarea>', html, flags=re.S)
    text = found.group(1)
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&#34;", '"'), ("&#39;", "'")):
        text = text.replace(entity, char)
    return text.replace("&amp;", "&")


def test_builder_is_a_plain_get_form_with_a_preview_and_snippets(client, at_reference):
    response = client.get(
        "/embed/builder?built=1&clocks=London&counters=salisbury&statements=2&theme=dark",
        base_url=HOST,
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    tags = _Tags(html)
    (form,) = tags.find("form", **{"class": "builder"})
    assert form["method"] == "get" and form["action"] == "/embed/builder"
    checked = {a["value"] for a in tags.find("input", type="checkbox") if "checked" in a}
    assert checked == {"London", "salisbury"}
    (preview,) = tags.find("iframe", **{"class": "preview"})
    assert (
        preview["src"] == "/embed?clocks=London&counters=salisbury&statements=2&theme=dark&lang=en"
    )

    script = snippet(html, "script")
    assert script == (
        f'<script src="{HOST}/static/embed.js" data-clocks="London" data-counters="salisbury" '
        'data-statements="2" data-theme="dark" data-lang="en" async></script>'
    )
    frame = iframe_of(snippet(html, "iframe"))
    assert frame["src"] == HOST + preview["src"]
    assert snippet(html, "badges") == (
        f"[![Salisbury incident]({HOST}/badge/salisbury.svg)]({HOST}/)"
    )
    # What it offers works: the preview, the iframe and the badge.
    assert client.get(preview["src"]).status_code == 200
    assert client.get("/badge/salisbury.svg").status_code == 200


def test_builder_starts_with_everything_and_says_when_nothing_is_chosen(client, at_reference):
    first = _Tags(client.get("/embed/builder").get_data(as_text=True))
    checked = {a["value"] for a in first.find("input", type="checkbox") if "checked" in a}
    assert checked == {"Moscow", "London", "salisbury", "glushkov"}
    nothing = client.get("/embed/builder?built=1").get_data(as_text=True)
    assert "Choose at least one clock, counter or statement." in nothing
    assert "snippet-script" not in nothing
    assert client.get("/embed/builder?built=1&clocks=Paris").status_code == 400


def test_readme_documents_embedding():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Embedding", 1)[1].split("\n## ", 1)[0]
    for needle in ("static/embed.js", "<iframe", "/oembed", "/badge/", "EMBED_ALLOWED_ORIGINS"):
        assert needle in section, needle
    assert "/embed/builder" in section
