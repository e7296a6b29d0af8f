"""A CDN that refuses, stalls or serves a file that fails its SRI check: the page and the
widget load the same pinned htmx from the dashboard itself, and their clocks keep flipping.

The app's clock is moved forward (tests/helpers/clock.py: boundary_soon) so that a minute
boundary comes within seconds; the browser keeps the real time. Chromium maps the CDN's host
to a local server that accepts connections and never answers, as a black-holed CDN does.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from dashboard import config
from tests.helpers.chromium import launch_chromium
from tests.helpers.clock import LONDON, MOSCOW, WATCH_CLOCKS, boundary_soon, hhmm, next_boundary
from tests.helpers.servers import AppServer, FileServer, StalledServer, free_port, get

pytestmark = pytest.mark.browser

VENDORED = f"/static/{config.HTMX_LOCAL_FILE}"
FLIP_BUDGET = 1.5  # seconds after the boundary, as for a healthy CDN
FCP_BUDGET_MS = 2000
TAKES_OVER_S = 4 + 2  # cdn-fallback.js waits 4 s for a silent CDN; then its own copy loads
HTMX_RUNS = "window.htmx !== undefined && window.htmx.version !== undefined"
HAS_FCP = "performance.getEntriesByType('paint').some(e => e.name === 'first-contentful-paint')"


@pytest.fixture(scope="module")
def stalled_cdn():
    with StalledServer() as cdn:
        yield cdn


@pytest.fixture(scope="module")
def browser(playwright, stalled_cdn):
    """Chromium for which the CDN's host is the stalled server (the conftest's, otherwise)."""
    host = urlsplit(config.HTMX_CDN_URL).hostname
    browser = launch_chromium(
        playwright, [f"--host-resolver-rules=MAP {host} 127.0.0.1:{stalled_cdn.port}"]
    )
    yield browser
    browser.close()


def started(serve, *paths: str, **settings) -> AppServer:
    """The app on 127.0.0.1, its pages rendered once: a page's delay counts from when its
    request came, so a first (cold) rendering would make the flip late by its own time."""
    server = serve(**settings)
    for path in paths:
        assert get(server.port, path)[0] == 200
    return server


def refused_url() -> str:
    return f"http://127.0.0.1:{free_port()}/htmx.min.js"  # nothing listens there


def watch_the_flip(frame, server, shift: float, opened: float) -> dict:
    """Waits for the London clock to change, and checks it did on time, with the block fetched
    ahead, and that htmx (the local copy) took the new block on."""
    boundary = next_boundary(opened)
    frame.wait_for_function(
        "window.__flip !== null", timeout=(boundary - time.time() + 8) * 1000, polling=50
    )
    flip = frame.evaluate("window.__flip")
    latency = flip["at"] / 1000 + shift - boundary  # the browser's clock is `shift` behind
    assert flip["clocks"] == {"Moscow": hhmm(boundary, MOSCOW), "London": hhmm(boundary, LONDON)}
    assert 0 <= latency <= FLIP_BUDGET, f"the clock changed {latency:.3f}s after the boundary"
    server.fetched_ahead(opened, boundary)
    assert frame.evaluate("!!document.getElementById('live')['htmx-internal-data']")
    return {"latency": latency}


def test_a_refused_cdn_falls_back_and_the_minute_flips(serve, new_context):
    with boundary_soon(6) as shift:
        server = started(serve, "/", HTMX_URL=refused_url(), HTMX_INTEGRITY=config.HTMX_SRI)
        page = new_context().new_page()
        opened = time.time()
        page.goto(server.url("/"))
        page.wait_for_function(HTMX_RUNS, timeout=5000)
        page.evaluate(WATCH_CLOCKS)
        assert len(server.requests_for(VENDORED)) == 1
        assert server.fragment_hits() == [], "htmx asked for the live block before the boundary"
        flip = watch_the_flip(page, server, shift, opened)
        expect(page.locator("#live")).not_to_have_class("live stale")
    print(f"\nrefused CDN: the local copy ran, the minute flipped +{flip['latency']:.3f}s")


def test_a_stalled_cdn_never_delays_first_paint_and_the_local_copy_takes_over(
    serve, new_context, stalled_cdn
):
    with boundary_soon(TAKES_OVER_S + 2) as shift:
        server = started(serve, "/", HTMX_URL=config.HTMX_CDN_URL, HTMX_INTEGRITY=config.HTMX_SRI)
        page = new_context().new_page()
        opened = time.time()
        page.goto(server.url("/"), wait_until="commit")
        page.wait_for_function(HAS_FCP, timeout=10_000, polling=20)
        fcp = page.evaluate(
            "performance.getEntriesByType('paint')"
            ".find(e => e.name === 'first-contentful-paint').startTime"
        )
        assert fcp < FCP_BUDGET_MS, f"first contentful paint took {fcp:.0f} ms"
        assert page.evaluate("typeof window.htmx") == "undefined"  # the CDN is still silent
        # What the reader came for is there meanwhile.
        for live_item in ("#live .clock", "#live .counter"):
            expect(page.locator(live_item)).to_have_count(2)
            for each in page.locator(live_item).all():
                expect(each).to_be_visible()
        page.wait_for_function(HTMX_RUNS, timeout=TAKES_OVER_S * 1000, polling=50)
        took = time.time() - opened
        page.evaluate(WATCH_CLOCKS)
        assert stalled_cdn.connections, "the browser never tried the (stalled) CDN"
        # The CDN's script still holds DOMContentLoaded back; the page is live regardless.
        assert page.evaluate("document.readyState") == "interactive"
        assert len(server.requests_for(VENDORED)) == 1
        flip = watch_the_flip(page, server, shift, opened)
    print(
        f"\nstalled CDN: first paint {fcp:.0f} ms, the local copy ran after {took:.1f} s, "
        f"the minute flipped +{flip['latency']:.3f}s"
    )


def test_a_cdn_file_failing_its_sri_check_is_refused_and_the_local_copy_runs(
    serve, htmx_server, new_context
):
    """SRI is enforced: a file that differs from the pinned one never runs (the browser says
    why), and the same pinned file from this site runs in its place."""
    server = serve(
        HTMX_URL=htmx_server.url("/tampered/htmx.min.js"), HTMX_INTEGRITY=config.HTMX_SRI
    )
    page = new_context().new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text))
    page.goto(server.url("/"))
    page.wait_for_function(HTMX_RUNS, timeout=5000)
    assert any("integrity" in text for text in errors), errors
    assert "/tampered/htmx.min.js" in htmx_server.hits
    assert len(server.requests_for(VENDORED)) == 1
    # htmx runs the block: asked for again, it is replaced by a new one.
    page.evaluate("document.getElementById('live').dataset.old = 'yes'")
    page.evaluate("htmx.trigger('#live', 'dashboard:refresh')")
    page.wait_for_function("!document.getElementById('live').dataset.old", timeout=5000)
    assert [hit.status for hit in server.fragment_hits()] == [200]


def test_a_cdn_answering_after_the_fallback_never_starts_a_second_htmx(
    serve, htmx_bytes, new_context
):
    late = TAKES_OVER_S - 1  # after the local copy was asked for, before DOMContentLoaded
    with FileServer({"/htmx.min.js": htmx_bytes}, delay=late) as cdn:
        server = started(
            serve, "/", HTMX_URL=cdn.url("/htmx.min.js"), HTMX_INTEGRITY=config.HTMX_SRI
        )
        page = new_context().new_page()
        # Every start of htmx fires htmx:load on the body, and processes the live block.
        page.add_init_script(
            """window.starts = {body: 0, live: 0};
            document.addEventListener("htmx:load", e => {
                if (e.target === document.body) window.starts.body += 1;
            });
            document.addEventListener("htmx:beforeProcessNode", e => {
                if (e.target.id === "live") window.starts.live += 1;
            });"""
        )
        page.goto(server.url("/"), wait_until="commit")
        page.wait_for_function(HTMX_RUNS, timeout=TAKES_OVER_S * 1000)
        page.evaluate("window.first = window.htmx")
        assert cdn.hits == ["/htmx.min.js"] and len(server.requests_for(VENDORED)) == 1
        page.wait_for_function("document.readyState === 'complete'", timeout=late * 2000)
        page.wait_for_timeout(300)  # past htmx's own start-up, which waits a turn
        assert page.evaluate("window.htmx === window.first") is True
        assert page.evaluate("window.starts") == {"body": 1, "live": 1}
        page.evaluate("htmx.trigger('#live', 'dashboard:refresh')")
        page.wait_for_function("window.starts.live === 2", timeout=5000)
        page.wait_for_timeout(300)
        assert len(server.fragment_hits()) == 1  # one htmx, one request


def test_the_widget_falls_back_too_and_flips(serve, new_context):
    with boundary_soon(6) as shift:
        query = "/embed?clocks=Moscow,London"
        server = started(serve, query, HTMX_URL=refused_url(), HTMX_INTEGRITY=config.HTMX_SRI)
        snippet = (
            f'<script src="{server.origin}/static/embed.js" data-clocks="Moscow,London" async>'
        )
        host = (
            "<!doctype html><html lang=en><head><meta charset=utf-8><title>Host</title></head>"
            f"<body><div id=box>{snippet}</script></div></body></html>"
        )
        with FileServer({"/host.html": host.encode()}) as elsewhere:
            page = new_context().new_page()
            opened = time.time()
            page.goto(elsewhere.url("/host.html"))
            page.wait_for_selector("#box > iframe")
            frame = page.locator("#box > iframe").element_handle().content_frame()
            frame.wait_for_selector("#live .clock")
            frame.wait_for_function(HTMX_RUNS, timeout=5000)
            frame.evaluate(WATCH_CLOCKS)
            assert len(server.requests_for(VENDORED)) == 1
            flip = watch_the_flip(frame, server, shift, opened)
    print(f"\nwidget, refused CDN: the minute flipped +{flip['latency']:.3f}s")
