"""/board on a lobby's screen, in Debian's Chromium: it fills the screen in both orientations
with nothing to scroll and no text spilling out of its box, keeps the screen awake, survives
the network going away without ever leaving the page, and shows a statement when it is
published. Refreshes are triggered by the test (the block's own `dashboard:refresh`), not
waited for at minute boundaries.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
from playwright.sync_api import expect

from dashboard.cache.live import EXTENSION as LIVE
from dashboard.content import editing
from dashboard.core import timecalc
from dashboard.web.board import views
from tests.helpers.chromium import ARTIFACTS
from tests.helpers.clock import clear_of_boundaries
from tests.helpers.servers import get

pytestmark = pytest.mark.browser

HTMX_RUNS = "window.htmx !== undefined && window.htmx.version !== undefined"
SIZES = [(1920, 1080), (1080, 1920), (1280, 720), (3840, 2160)]
SCREENSHOT_SIZES = SIZES[:2]
SHOTS = ARTIFACTS / "board"
REFRESH = "window.htmx.trigger(document.getElementById('live'), 'dashboard:refresh')"

# What the layout must hold: the document no larger than the viewport; each clock, counter,
# the date line and the headline shown inside it; and no text larger than the box it is in.
LAYOUT = """
() => {
  const inside = (r, o) => r.left >= o.left - 1 && r.top >= o.top - 1 &&
    r.right <= o.right + 1 && r.bottom <= o.bottom + 1;
  const view = {left: 0, top: 0, right: innerWidth, bottom: innerHeight};
  const problems = [];
  const parts = document.querySelectorAll(
    '.clock, .counter, .date-line, .board-title, .headline.shown');
  for (const el of parts) {
    if (!inside(el.getBoundingClientRect(), view)) problems.push('outside: ' + el.className);
  }
  const texts = document.querySelectorAll(
    '.clock-label, .clock-time, .counter-days, .counter-caption, .counter-note, .headline.shown');
  for (const el of texts) {
    const box = el.closest('.clock, .counter, .headlines');
    if (!inside(el.getBoundingClientRect(), box.getBoundingClientRect()))
      problems.push('spills: ' + el.className + ' ' + el.textContent.slice(0, 30));
    if (el.scrollWidth > el.clientWidth + 1) problems.push('too wide: ' + el.className);
  }
  for (const el of document.querySelectorAll('.counter')) {
    if (el.scrollHeight > el.clientHeight + 1) problems.push('overflows: ' + el.id);
  }
  const size = (s) => parseFloat(getComputedStyle(document.querySelector(s)).fontSize);
  return {
    scroll: [document.documentElement.scrollWidth, document.documentElement.scrollHeight],
    view: [innerWidth, innerHeight],
    clocks: document.querySelectorAll('.clock').length,
    counters: document.querySelectorAll('.counter').length,
    links: document.querySelectorAll('a[href]').length,
    cursor: getComputedStyle(document.body).cursor,
    fonts: {number: size('.counter-days'), caption: size('.counter-caption'),
            time: size('.clock-time'), headline: size('.headline.shown')},
    problems,
  };
}
"""

# Records each request for a wake lock (handing out locks the test may let go of) and each
# settled swap of the live block.
WAKE_LOCK_STUB = """
window.__wakeLocks = [];
window.__settled = 0;
document.addEventListener('htmx:afterSettle', () => { window.__settled += 1; });
Object.defineProperty(navigator, 'wakeLock', {configurable: true, value: {
  request(type) {
    const lock = {type, released: false, addEventListener() {}, release() {
      this.released = true; return Promise.resolve(); }};
    window.__wakeLocks.push(lock);
    return Promise.resolve(lock);
  },
}});
"""


@pytest.fixture
def board_app(app, live_app):
    for path in ("/board", "/board?lang=ru"):  # rendered once: a cold rendering is slower
        assert get(live_app.port, path)[0] == 200
    return live_app


def test_the_board_fills_the_screen_without_scrolling(board_app, new_context):
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = new_context(viewport={"width": SIZES[0][0], "height": SIZES[0][1]})
    page = context.new_page()
    for lang in ("en", "ru"):
        page.goto(board_app.url(f"/board?lang={lang}"))
        page.wait_for_function(HTMX_RUNS)
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            layout = page.evaluate(LAYOUT)
            where = f"{width}x{height} {lang}"
            assert layout["scroll"] == layout["view"] == [width, height], where
            assert layout["clocks"] == 2 and layout["counters"] == 2, where
            assert layout["problems"] == [], where
            assert layout["links"] == 0 and layout["cursor"] == "none", where
            # Read from across a lobby: no part is small for its screen.
            vmin = min(width, height) / 100
            fonts = layout["fonts"]
            assert fonts["number"] >= 12 * vmin and fonts["time"] >= 10 * vmin, (where, fonts)
            assert fonts["caption"] >= 3 * vmin and fonts["headline"] >= 3 * vmin, (where, fonts)
            if (width, height) in SCREENSHOT_SIZES:
                page.screenshot(path=str(SHOTS / f"board-{width}x{height}-{lang}.png"))
        if lang == "en":  # the headlines change in a calm fade, or at once if asked
            fade = "getComputedStyle(document.querySelector('.headline')).transitionDuration"
            assert page.evaluate(fade) == "0.7s, 0.7s"
            page.emulate_media(reduced_motion="reduce")
            assert page.evaluate(fade) == "0s"
            page.emulate_media(reduced_motion="no-preference")
        if lang == "ru":
            expect(page.locator(".clock-label").first).to_have_text("Москва")
            expect(page.locator(".counter-caption").first).to_contain_text("прошло с инцидента")
    # One counter across a wide screen sets its words beside the number, still inside its box.
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(board_app.url("/board?lang=ru&clocks=Moscow,London&counters=salisbury"))
    layout = page.evaluate(LAYOUT)
    assert layout["problems"] == [] and layout["counters"] == 1
    number, words = (page.locator(s).bounding_box() for s in (".counter-days", ".counter-caption"))
    assert words["x"] > number["x"] + number["width"]


def test_the_board_keeps_awake_and_survives_the_network(board_app, new_context):
    clear_of_boundaries(before=8, after=1)  # a minute's own refresh would change the clocks
    context = new_context(viewport={"width": 1920, "height": 1080})
    context.add_init_script(WAKE_LOCK_STUB)
    page = context.new_page()
    navigations = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    url = board_app.url("/board")
    page.goto(url)
    page.wait_for_function(HTMX_RUNS)
    page.wait_for_function("window.__wakeLocks.length === 1")
    assert page.evaluate("window.__wakeLocks[0].type") == "screen"
    # The browser lets go of the lock when the page is hidden; the board asks again.
    page.evaluate("window.__wakeLocks[0].released = true")
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    page.wait_for_function("window.__wakeLocks.length === 2")
    page.wait_for_function("window.__settled >= 1")  # the refresh a page shown again asks for
    page.evaluate("window.__sameDocument = true")

    # The server gone: connections refused, then a proxy's error page, then a 200 that is
    # not the board (a captive portal): each leaves the board as it was, marked as stale.
    fragments = f"{url}?lang=en"
    answers = [
        lambda route: route.abort("connectionrefused"),
        lambda route: route.fulfill(status=502, body="<h1>502 Bad Gateway</h1>"),
        lambda route: route.fulfill(status=200, body="<html><h1>Sign in to Wi-Fi</h1></html>"),
    ]
    idle = "!document.getElementById('live').classList.contains('htmx-request')"
    fresh = "!document.getElementById('live').classList.contains('stale')"
    for number, answer in enumerate(answers, start=1):
        page.route(fragments, answer)
        page.wait_for_function(idle)  # a refresh asked before the route may still be out
        shown = page.inner_text("#live .counters") + page.inner_text("#live .clocks")
        london = page.inner_text("#live .clock:nth-child(2) .clock-time")  # the site's zone
        page.evaluate(REFRESH)
        page.wait_for_selector("#live.stale .stale-note:not([hidden])", timeout=5000)
        page.wait_for_timeout(300)  # what the answer could have done, it has done
        expect(page.locator(".stale-note")).to_have_text(f"updated {london}")
        assert page.inner_text("#live .counters") + page.inner_text("#live .clocks") == shown
        assert "Bad Gateway" not in page.content() and "Wi-Fi" not in page.content()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "board-stale-1920x1080-en.png"))  # for a person
        page.unroute(fragments)
        if number < len(answers):
            page.evaluate(REFRESH)  # back at once; the last time, by itself
        # live.js's back-off retries (2 s, 4 s...) bring the board back by themselves.
        page.wait_for_function(fresh, timeout=10000)
        expect(page.locator(".stale-note")).to_be_hidden()

    assert page.url == url and navigations == [url]
    assert page.evaluate("window.__sameDocument") is True  # never reloaded
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1


def test_a_statement_shows_on_the_board_when_published(app, board_app, new_context):
    title = "Statement published while the board was on"
    # Its instant is the block's next change, whether or not a minute boundary comes first.
    instant = timecalc.utcnow().replace(microsecond=0) + dt.timedelta(seconds=5)
    with app.app_context():
        editing.save_statement({"title": title, "published": instant, "featured": True})
    page = new_context(viewport={"width": 1080, "height": 1920}).new_page()
    page.goto(board_app.url("/board"))
    page.wait_for_function(HTMX_RUNS)
    assert title not in page.inner_text("#statements")
    page.wait_for_selector(f".headline.shown:has-text('{title}')", timeout=15000)
    assert time.time() - instant.timestamp() <= 3
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
    # The headlines go round: the next one shows, the first goes.
    page.evaluate("window.dashboardBoard.rotate()")
    expect(page.locator(".headline.shown")).to_have_count(1)
    expect(page.locator(".headline.shown")).not_to_contain_text(title)


def test_a_new_version_reloads_the_board_only_once_a_probe_finds_it(
    app, board_app, new_context, monkeypatch
):
    clear_of_boundaries(before=6, after=1)  # no minute's own refresh in the way
    page = new_context(viewport={"width": 1280, "height": 720}).new_page()
    navigations = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    url = board_app.url("/board")
    page.goto(url)
    page.wait_for_function(HTMX_RUNS)
    assert page.get_attribute("body", "data-build") == page.get_attribute("#live", "data-build")

    new = "0a0new0build"  # deployed: the live block names the new build from now on
    monkeypatch.setattr(views, "build_mark", lambda: new)
    app.extensions[LIVE].invalidate()
    probes = []

    def refuse_probes(route):  # the board's own fetch of itself, not its live block's
        probes.append(route.request.url)
        route.abort("connectionrefused")

    page.route(url, refuse_probes)
    page.evaluate(REFRESH)
    page.wait_for_function(f"document.getElementById('live').dataset.build === '{new}'")
    page.wait_for_timeout(500)
    assert probes == [url] and navigations == [url]  # the probe failed: no reload
    assert page.get_attribute("body", "data-build") != new

    page.unroute(url)
    page.evaluate(REFRESH)
    page.wait_for_function(f"document.body.dataset.build === '{new}'")  # the new board
    assert navigations == [url, url] and page.url == url
    page.wait_for_function(HTMX_RUNS)
    assert f"board.js?v={new}" in page.content()
