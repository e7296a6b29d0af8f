"""Embedding over HTTP: /embed, its framing headers, and the builder.

Time is frozen at the reference instant (17:58:00Z on 26 January 2020, a Sunday in GMT): the
clocks read 20:58 Moscow and 17:58 London, Salisbury is at 693 days and Glushkov at 685, and
London's next midnight is 6 h 2 min = 21,720 s away.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine

from dashboard import config, create_app
from tests.helpers.markup import HOST, Tags, iframe_of
from tests.helpers.reference import REFERENCE_INSTANT

TO_LONDON_MIDNIGHT = 21_720  # 17:58:00Z -> 00:00:00Z (GMT in January)
NEWEST_THREE = ["16.01.2020", "15.01.2020", "14.01.2020"]
SIZE_BUDGET = 6 * 1024


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
        assert not Tags(html).find("link", rel="stylesheet")
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
    tags = Tags(html)
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
    first = Tags(client.get("/embed/builder").get_data(as_text=True))
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
