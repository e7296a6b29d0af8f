"""When updates stop, the live block says so: the server gone (its requests refused), or no
htmx at all. It fades and shows "Last updated HH:MM" (the time it was current, in the site's
zone, in the page's language) at its next planned update, and is itself again once an
update comes through.

The app's clock is moved forward (tests/helpers/clock.py: boundary_soon) so that the planned
update, at a minute boundary, comes within seconds; the browser keeps the real time.
"""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from dashboard import config
from tests.helpers.chromium import ARTIFACTS
from tests.helpers.clock import LONDON, WATCH_CLOCKS, boundary_soon, hhmm, next_boundary
from tests.helpers.servers import AppServer, FileServer, free_port, get

pytestmark = pytest.mark.browser

VENDORED = f"/static/{config.HTMX_LOCAL_FILE}"
STALE_WITHIN = 2.0  # seconds after the missed update (the request fails at once)
RECOVERS_WITHIN = 8.0  # the first retry comes 2 s after the failure
HTMX_RUNS = "window.htmx !== undefined && window.htmx.version !== undefined"
NOTE_SHOWN = "#live.stale .stale-note:not([hidden])"
IS_STALE = "document.getElementById('live').classList.contains('stale')"


def started(serve, path: str, **settings) -> AppServer:
    """The app on 127.0.0.1, `path` rendered once (a cold rendering would delay the page)."""
    server = serve(**settings)
    assert get(server.port, path)[0] == 200
    return server


def fragments_of(server: AppServer, path: str):
    """Matches the live block's own requests (htmx's, and those fetching it ahead), not the
    page or frame around it."""
    return lambda url: url.startswith((server.url(path), server.url("/live/")))


def wait_for_boundary_and_stale(frame, boundary: float) -> float:
    """Not stale before the missed update; stale soon after. Returns how soon (seconds)."""
    assert frame.evaluate(IS_STALE) is False
    frame.wait_for_selector(NOTE_SHOWN, timeout=(boundary - time.time() + 10) * 1000)
    after = time.time() - boundary
    assert 0 <= after <= STALE_WITHIN, f"marked stale {after:+.2f}s from the missed update"
    return after


def test_a_server_gone_away_shows_stale_and_it_recovers(serve, local_htmx, new_context):
    with boundary_soon(5):
        server = started(serve, "/", **local_htmx)
        page = new_context(viewport={"width": 1280, "height": 800}).new_page()
        gone = fragments_of(server, "/?lang=en")  # not the page: its URL is "/"
        page.route(gone, lambda route: route.abort("connectionrefused"))
        opened = time.time()
        page.goto(server.url("/"))
        page.wait_for_function(HTMX_RUNS)
        boundary = next_boundary(opened)
        after = wait_for_boundary_and_stale(page, boundary)
        note = page.locator(".stale-note")
        expect(note).to_have_text(f"Last updated {hhmm(opened, LONDON)}")
        expect(page.locator("#announcer")).to_have_text(f"Last updated {hhmm(opened, LONDON)}")
        # What the stale block looks like, for a person to check.
        ARTIFACTS.mkdir(exist_ok=True)
        for width in (360, 768, 1280):
            page.set_viewport_size({"width": width, "height": 800})
            page.screenshot(path=str(ARTIFACTS / f"stale-{width}.png"))
        assert page.evaluate("document.documentElement.scrollWidth") == 1280

        back = time.time()
        page.unroute(gone)
        page.wait_for_function(f"!({IS_STALE})", timeout=RECOVERS_WITHIN * 1000)
        recovered = time.time() - back
        expect(page.locator(".stale-note")).to_be_hidden()
        expect(page.locator("#live .clock").nth(1)).to_have_text(
            f"London: {hhmm(boundary, LONDON)}"
        )
    print(
        f"\nserver gone: stale +{after:.2f}s after the missed update, back {recovered:.1f}s later"
    )


def test_with_no_htmx_and_no_block_ahead_the_block_says_so_when_its_update_is_due(
    serve, new_context
):
    refused = f"http://127.0.0.1:{free_port()}/htmx.min.js"
    with boundary_soon(4):
        server = started(serve, "/", HTMX_URL=refused, HTMX_INTEGRITY=config.HTMX_SRI)
        context = new_context()
        context.route(
            lambda url: url.endswith(VENDORED), lambda route: route.abort("blockedbyclient")
        )
        context.route(fragments_of(server, "/live/"), lambda route: route.abort("failed"))
        page = context.new_page()
        opened = time.time()
        page.goto(server.url("/?lang=ru"))
        after = wait_for_boundary_and_stale(page, next_boundary(opened))
        assert page.evaluate("typeof window.htmx") == "undefined"
        expect(page.locator(".stale-note")).to_have_text(f"Обновлено в {hhmm(opened, LONDON)}")
    print(f"\nno htmx: stale +{after:.2f}s after the missed update")


def test_the_widget_shows_stale_and_recovers_too(serve, local_htmx, new_context):
    query = "/embed?clocks=London&counters=salisbury&lang=ru"
    with boundary_soon(5):
        server = started(serve, query, **local_htmx)
        snippet = (
            f'<script src="{server.origin}/static/embed.js" data-clocks="London" '
            'data-counters="salisbury" data-lang="ru" async></script>'
        )
        host = f"<!doctype html><html lang=en><title>Host</title><div id=box>{snippet}</div>"
        with FileServer({"/host.html": host.encode()}) as elsewhere:
            page = new_context(viewport={"width": 520, "height": 400}).new_page()
            ahead = fragments_of(server, "/live/")
            page.route(ahead, lambda route: route.abort("connectionrefused"))
            opened = time.time()
            page.goto(elsewhere.url("/host.html"))
            page.wait_for_selector("#box > iframe")
            frame = page.locator("#box > iframe").element_handle().content_frame()
            frame.wait_for_function(HTMX_RUNS)
            gone = fragments_of(server, "/embed?")  # the frame's own URL too: once it is in
            page.route(gone, lambda route: route.abort("connectionrefused"))
            boundary = next_boundary(opened)
            wait_for_boundary_and_stale(frame, boundary)
            expect(frame.locator(".stale-note")).to_have_text(f"Обновлено в {hhmm(opened, LONDON)}")
            page.screenshot(path=str(ARTIFACTS / "stale-widget.png"))
            page.unroute(gone)
            page.unroute(ahead)
            frame.wait_for_function(f"!({IS_STALE})", timeout=RECOVERS_WITHIN * 1000)
            expect(frame.locator("#live .clock-time")).to_have_text(hhmm(boundary, LONDON))


def test_with_no_htmx_the_block_fetched_ahead_still_flips_on_time(serve, new_context):
    """live.js swaps in the block it fetched ahead by itself: the page stays current."""
    refused = f"http://127.0.0.1:{free_port()}/htmx.min.js"
    with boundary_soon(5) as shift:
        server = started(serve, "/", HTMX_URL=refused, HTMX_INTEGRITY=config.HTMX_SRI)
        context = new_context()
        context.route(
            lambda url: url.endswith(VENDORED), lambda route: route.abort("blockedbyclient")
        )
        page = context.new_page()
        opened = time.time()
        page.goto(server.url("/"))
        page.evaluate(WATCH_CLOCKS)
        boundary = next_boundary(opened)
        page.wait_for_function(
            "window.__flip !== null", timeout=(boundary - time.time() + 8) * 1000, polling=50
        )
        latency = page.evaluate("window.__flip.at") / 1000 + shift - boundary
        assert page.evaluate("typeof window.htmx") == "undefined"
        assert 0 <= latency <= 0.5, f"the clock changed {latency:.3f}s after the boundary"
        server.fetched_ahead(opened, boundary)
        time.sleep(STALE_WITHIN + 1)  # past when it would be marked stale
        assert page.evaluate(IS_STALE) is False
