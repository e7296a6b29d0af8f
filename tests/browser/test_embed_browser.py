"""The widget in a real browser, across origins: a host page on one 127.0.0.1 port pastes the
script snippet that points at the dashboard on another. Debian's Chromium through Playwright,
the pinned htmx served locally, real time throughout: no clock is faked.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect, sync_playwright

from dashboard import config
from tests.helpers.chromium import launch_chromium
from tests.helpers.clock import (
    LONDON,
    MOSCOW,
    WATCH_CLOCKS,
    clear_of_boundaries,
    hhmm,
    london_day,
    next_boundary,
)
from tests.helpers.htmx import pinned_htmx
from tests.helpers.servers import AppServer, FileServer

pytestmark = pytest.mark.browser

FLIP_BUDGET = 1.5  # seconds after the true minute boundary, as for the page
FIT_TOLERANCE = 3  # px between the iframe's height and the widget document's
SALISBURY = dt.date(2018, 3, 4)
GLUSHKOV = dt.date(2018, 3, 12)
READY_MARGIN = 20  # seconds: closer to a boundary than this, wait for the next one
HEIGHT_MESSAGE = "dashboard:embed-height"


def host_page(dashboard: str, *widgets: str) -> bytes:
    """Someone else's page: a heading, the pasted snippets each in a box, a paragraph after."""
    boxes = "\n".join(
        f'<div id="box-{i}" class="box"><script src="{dashboard}/static/embed.js" {attrs} async>'
        "</script></div>"
        for i, attrs in enumerate(widgets)
    )
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>Host</title>"
        "<style>body{margin:0;font:16px serif}.box{width:480px;margin:1rem 0}</style></head>"
        f"<body><h1>A page elsewhere</h1>\n{boxes}\n<p id=after>After the widgets.</p>"
        "</body></html>"
    ).encode()


# -- fixtures ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def htmx_server():
    with FileServer({"/htmx.min.js": pinned_htmx()}) as server:
        yield server


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        yield browser
        browser.close()


@pytest.fixture
def stack():
    with contextlib.ExitStack() as stack:
        yield stack


@pytest.fixture
def dashboard(app, htmx_server, stack):
    """The demo dashboard on 127.0.0.1 with the pinned htmx; `dashboard(**overrides)` starts
    it."""

    def start(**overrides) -> AppServer:
        app.config.update(
            HTMX_URL=htmx_server.url("/htmx.min.js"), HTMX_INTEGRITY=config.HTMX_SRI, **overrides
        )
        return stack.enter_context(AppServer(app))

    return start


@pytest.fixture
def new_page(browser, stack):
    """Pages in fresh English contexts, closed before the servers stop (`stack` unwinds them
    first, being entered after the servers)."""

    def make(**options):
        context = browser.new_context(**{"locale": "en-GB", **options})
        stack.callback(context.close)
        return context.new_page()

    return make


def widget_frames(page, dashboard: AppServer, count: int):
    """The widget frames, in page order, once each shows its live block."""
    page.wait_for_function(
        "n => document.querySelectorAll('.box > iframe').length === n", arg=count
    )
    frames = []
    for index in range(count):
        handle = page.locator(f"#box-{index} > iframe").element_handle()
        frame = handle.content_frame()
        assert frame is not None
        frame.wait_for_selector("#live")
        frame.wait_for_function("window.htmx !== undefined && window.htmx.version !== undefined")
        assert frame.url.startswith(dashboard.url("/embed?"))
        frames.append(frame)
    return frames


def fit(page, frame, index: int) -> dict[str, float]:
    """The iframe's height in the host page, and the widget's own document heights."""
    outer = page.evaluate(
        "i => document.querySelector(`#box-${i} > iframe`).getBoundingClientRect().height", index
    )
    inner = frame.evaluate(
        """() => ({scroll: document.documentElement.scrollHeight,
                   content: document.documentElement.getBoundingClientRect().height})"""
    )
    return {"iframe": outer, **inner}


def wait_until_fitted(page, frame, index: int, timeout: float = 10.0) -> dict[str, float]:
    deadline = time.time() + timeout
    while True:
        sizes = fit(page, frame, index)
        fitted = abs(sizes["iframe"] - sizes["scroll"]) <= FIT_TOLERANCE
        if fitted and abs(sizes["iframe"] - sizes["content"]) <= FIT_TOLERANCE:
            return sizes
        if time.time() > deadline:
            pytest.fail(f"widget {index} never fitted its iframe: {sizes}")
        time.sleep(0.05)


# -- tests ------------------------------------------------------------------------------------
def test_script_embeds_a_live_widget_that_fits_across_origins(dashboard, new_page):
    server = dashboard()
    both = 'data-clocks="Moscow,London" data-counters="salisbury,glushkov" data-lang="en"'
    files = {"/host.html": host_page(server.origin, both, both + ' data-statements="5"')}
    with FileServer(files) as host:
        assert urlsplit(host.origin).port != urlsplit(server.origin).port
        page = new_page()
        clear_of_boundaries(before=READY_MARGIN)  # measure a clean minute
        opened = time.time()
        page.goto(host.url("/host.html"))
        plain, listed = widget_frames(page, server, 2)

        # The iframes stand where the script tags stood, and ask for what the data-* said.
        for index in (0, 1):
            placed = page.evaluate(
                """i => {
                    const box = document.querySelector(`#box-${i}`);
                    const frame = box.querySelector('iframe');
                    return {after: frame.previousElementSibling.tagName, n: box.children.length};
                }""",
                index,
            )
            assert placed == {"after": "SCRIPT", "n": 2}
        query = parse_qs(urlsplit(listed.url).query)
        assert query == {
            "clocks": ["Moscow,London"],
            "counters": ["salisbury,glushkov"],
            "lang": ["en"],
            "statements": ["5"],
        }

        # It shows the clocks and the counters, right for now.
        for frame in (plain, listed):
            clocks = frame.locator("#live .clock")
            expect(clocks).to_have_count(2)
            for index, (label, zone) in enumerate((("Moscow", MOSCOW), ("London", LONDON))):
                assert clocks.nth(index).inner_text() in {
                    f"{label}: {hhmm(at, zone)}" for at in (opened, time.time())
                }
            for slug, since in (("salisbury", SALISBURY), ("glushkov", GLUSHKOV)):
                days = {(london_day(at) - since).days for at in (opened, time.time())}
                number = frame.locator(f"#counter-{slug} .counter-days").inner_text()
                assert int(number.replace(",", "")) in days
        expect(plain.locator(".statements li")).to_have_count(0)
        expect(listed.locator(".statements li")).to_have_count(5)

        # Each iframe is exactly as tall as its widget, and the one with statements is taller.
        plain_fit = wait_until_fitted(page, plain, 0)
        listed_fit = wait_until_fitted(page, listed, 1)
        assert listed_fit["iframe"] > plain_fit["iframe"] + 5 * 15, (plain_fit, listed_fit)
        # Content that changes in place (text wrapping in a narrower box) is followed too.
        page.evaluate("document.querySelector('#box-0').style.width = '240px'")
        deadline = time.time() + 10
        while fit(page, plain, 0)["iframe"] <= plain_fit["iframe"] + 20:
            assert time.time() < deadline, fit(page, plain, 0)
            time.sleep(0.05)
        narrow_fit = wait_until_fitted(page, plain, 0)
        assert page.locator("#after").is_visible()

        # The minute turns over inside the frame, on time, with one block fetched ahead per
        # widget (and nothing asked at the boundary).
        initial = plain.evaluate(WATCH_CLOCKS)
        ready = time.time()  # watching, so a flip from now on is seen
        boundary = next_boundary(opened)
        assert next_boundary(ready) == boundary, "the widget took most of a minute to get ready"
        assert [h for h in server.fragment_hits() if h.at >= opened] == [], "asked too early"
        assert initial["London"] == hhmm(opened, LONDON)
        plain.wait_for_function(
            "window.__flip !== null", timeout=(boundary - time.time() + 10) * 1000, polling=50
        )
        flip = plain.evaluate("window.__flip")
        latency = flip["at"] / 1000 - boundary
        time.sleep(max(0.0, boundary + 3 - time.time()))  # a second request would show here
        fetched = server.fetched_ahead(opened, boundary)
        print(
            f"\nembed minute flip: boundary {dt.datetime.fromtimestamp(boundary, dt.UTC):%H:%M:%S}Z"
            f", fetched ahead {', '.join(f'{h.at - boundary:.3f}s' for h in fetched)}"
            f", London clock in the frame changed +{latency:.3f}s"
            f"; heights plain {plain_fit['iframe']:.0f}px, with statements "
            f"{listed_fit['iframe']:.0f}px, narrowed {narrow_fit['iframe']:.0f}px"
        )
        assert flip["clocks"] == {
            "Moscow": hhmm(boundary, MOSCOW),
            "London": hhmm(boundary, LONDON),
        }
        assert 0 <= latency <= FLIP_BUDGET, f"the clock changed {latency:.3f}s after the boundary"
        assert len(fetched) == 2, f"one block ahead per widget for the minute: {fetched}"
        wait_until_fitted(page, plain, 0)  # still fitted after the swap


def test_restricted_origins_make_chromium_refuse_the_frame(dashboard, new_page):
    attrs = 'data-counters="salisbury"'
    with FileServer({}) as refused, FileServer({}) as allowed:
        server = dashboard(EMBED_ALLOWED_ORIGINS=allowed.origin)
        refused.files["/host.html"] = allowed.files["/host.html"] = host_page(server.origin, attrs)

        page = new_page()
        messages: list[str] = []
        page.on("console", lambda message: messages.append(message.text))
        page.goto(refused.url("/host.html"))
        page.wait_for_selector("#box-0 > iframe")
        deadline = time.time() + 10
        while not any("frame-ancestors" in text for text in messages):
            assert time.time() < deadline, f"no refusal reported: {messages}"
            page.wait_for_timeout(50)
        refusal = next(text for text in messages if "frame-ancestors" in text)
        assert allowed.origin in refusal and refused.origin not in refusal
        # The dashboard answered, but the browser did not show it: the frame is not the widget.
        assert any(hit.path == "/embed" and hit.status == 200 for hit in server.hits)
        frame = page.locator("#box-0 > iframe").element_handle().content_frame()
        assert frame is not None and not frame.url.startswith(server.origin)
        assert frame.locator("#live").count() == 0
        assert page.evaluate("document.querySelector('#box-0 > iframe').style.height") == "150px"

        # The same snippet on the allowed origin shows the widget.
        other = new_page()
        other.goto(allowed.url("/host.html"))
        (widget,) = widget_frames(other, server, 1)
        expect(widget.locator("#counter-salisbury")).to_be_visible()
        wait_until_fitted(other, widget, 0)


def test_widget_reads_without_javascript_and_reloads_at_its_change(dashboard, new_page):
    server = dashboard()
    page = new_page(java_script_enabled=False)
    clear_of_boundaries(before=5)  # the refresh is real: keep it from firing mid-test
    before = time.time()
    page.goto(server.url("/embed?clocks=London&counters=salisbury"))
    after = time.time()
    assert page.locator("#live .clock").inner_text() in {
        f"London: {hhmm(at, LONDON)}" for at in (before, after)
    }
    days = {(london_day(at) - SALISBURY).days for at in (before, after)}
    number = page.locator("#counter-salisbury .counter-days").inner_text()
    assert int(number.replace(",", "")) in days
    # With scripting off, <noscript> in the head is parsed: the reload is real markup.
    refresh = page.locator('head meta[http-equiv="refresh"]')
    expect(refresh).to_have_count(1)
    seconds = int(refresh.get_attribute("content"))
    # Whole seconds to the next minute from the moment it was served, rounded up.
    assert next_boundary(before) - after <= seconds <= next_boundary(after) - before + 1.2
    assert server.fragment_hits() == []


def test_builder_previews_changes_with_and_without_javascript(dashboard, new_page):
    server = dashboard()
    page = new_page()
    page.goto(server.url("/embed/builder"))
    page.wait_for_function("window.htmx !== undefined")
    preview = page.locator("iframe.preview")
    expect(preview).to_have_attribute(
        "src", "/embed?clocks=Moscow,London&counters=salisbury,glushkov&lang=en"
    )
    frame = preview.element_handle().content_frame()
    frame.wait_for_selector("#live .clock")
    # Unticking a clock updates the preview and the snippets in place, and the address.
    page.get_by_label("Moscow").uncheck()
    expect(preview).to_have_attribute(
        "src", "/embed?clocks=London&counters=salisbury,glushkov&lang=en"
    )
    expect(page.locator("#snippet-script")).to_contain_text('data-clocks="London"')
    assert "built=1" in page.url and "clocks=London" in page.url
    frame = page.locator("iframe.preview").element_handle().content_frame()
    frame.wait_for_selector("#live")
    expect(frame.locator("#live .clock")).to_have_count(1)

    # Without JavaScript the same form works by submitting it.
    plain = new_page(java_script_enabled=False)
    plain.goto(server.url("/embed/builder"))
    plain.get_by_label("Moscow").uncheck()
    plain.get_by_role("button", name="Update the preview").click()
    expect(plain.locator("iframe.preview")).to_have_attribute(
        "src", "/embed?clocks=London&counters=salisbury,glushkov&lang=en"
    )
