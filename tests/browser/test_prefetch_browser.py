"""Live blocks fetched ahead, in Chromium: each page fetches the next minute's block during the
current one and swaps it in at the boundary by the server's clock, whatever its own clock says;
a failed fetch is retried in time; a statement due at the boundary still comes at once.

The app's clock is moved forward (tests/helpers/clock.py: boundary_soon) so that a boundary
comes within seconds. Each page's own clock is set off further by an init script, as a
reader's device can be; the flips are timed on the real clock, captured before that.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest

from dashboard.content import editing
from tests.helpers.admin import make_admin, signed_in_client
from tests.helpers.clock import boundary_soon, clear_of_boundaries, next_boundary
from tests.helpers.servers import get

pytestmark = pytest.mark.browser

FLIP_BUDGET = 0.5  # seconds after the boundary, on a machine busy with other tests
# A device clock set off by `skew` ms (Date.now and performance.timeOrigin both), and a record
# of each minute the first clock shows, timed on the real clock.
DEVICE = """
(skew => {
  const origin = performance.timeOrigin;
  const real = () => origin + performance.now();
  if (skew) {
    const dateNow = Date.now;
    Date.now = () => dateNow() + skew;
    Object.defineProperty(performance, "timeOrigin", {get: () => origin + skew});
  }
  window.__shown = [];
  let last = null;
  const check = () => {
    const el = document.querySelector("#live .clock-time");
    const minute = el && el.getAttribute("datetime");
    if (minute && minute !== last) { window.__shown.push([real(), minute]); last = minute; }
  };
  document.addEventListener("DOMContentLoaded", () => {
    check();
    new MutationObserver(check).observe(document.body,
      {subtree: true, childList: true, characterData: true, attributes: true});
  });
})(%d);
"""


def open_page(new_context, url: str, skew_ms: int = 0, route=None):
    page = new_context().new_page()
    page.add_init_script(DEVICE % skew_ms)
    if route is not None:
        page.route(*route)
    page.goto(url)
    return page


def flips(page, shift: float) -> list[tuple[float, dt.datetime]]:
    """(when, in the app's time; the minute shown) for each change after the first."""
    shown = page.evaluate("window.__shown")
    return [(at / 1000 + shift, dt.datetime.fromisoformat(minute)) for at, minute in shown[1:]]


def assert_flipped_on_time(page, shift: float, boundary: float) -> float:
    (changed,) = flips(page, shift)  # exactly one change: no flicker, no going back
    at, minute = changed
    assert minute.timestamp() == boundary, f"showed {minute} at the {boundary} boundary"
    latency = at - boundary
    assert 0 <= latency <= FLIP_BUDGET, f"flipped {latency:+.3f}s from the boundary"
    return latency


def test_pages_flip_at_the_servers_boundary_whatever_their_own_clock_says(
    serve, local_htmx, new_context
):
    with boundary_soon(9) as shift:
        server = serve(**local_htmx)
        assert get(server.port, "/")[0] == 200
        opened = time.time()
        # Right; ten minutes fast; three minutes slow (and all `shift` behind the app).
        pages = [open_page(new_context, server.url("/"), skew) for skew in (0, 600_000, -180_000)]
        boundary = next_boundary(opened)
        time.sleep(max(0.0, boundary + 2 - time.time()))
        latencies = [assert_flipped_on_time(page, shift, boundary) for page in pages]
        fetched = server.fetched_ahead(opened, boundary)
    assert len(fetched) == len(pages), fetched  # one fetch each: nothing asked twice
    print(f"\nflips after the boundary: {', '.join(f'{s:+.3f}s' for s in latencies)}")


def test_a_failed_fetch_ahead_is_retried_before_the_boundary(serve, local_htmx, new_context):
    failed = []

    def fail_twice(route):
        if route.request.method == "GET" and len(failed) < 2:  # not a HEAD asking the time
            failed.append(time.time())
            route.abort("connectionreset")
        else:
            route.continue_()

    with boundary_soon(12) as shift:
        server = serve(**local_htmx)
        opened = time.time()
        page = open_page(
            new_context,
            server.url("/"),
            route=(lambda url: url.startswith(server.url("/live/")), fail_twice),
        )
        boundary = next_boundary(opened)
        # Waiting inside Playwright, which answers the routed requests meanwhile.
        page.wait_for_timeout(max(0.0, boundary + 2 - time.time()) * 1000)
        assert len(failed) == 2
        assert_flipped_on_time(page, shift, boundary)
        server.fetched_ahead(opened, boundary)


def test_htmx_asking_early_with_the_block_in_hand_waits_for_the_swap(
    serve, local_htmx, new_context
):
    """htmx's request at the boundary is the fallback; on a busy machine its timer can run
    before the swap. Here it is made to run 1.5 s early: nothing is asked, the swap flips."""
    with boundary_soon(10) as shift:
        server = serve(**local_htmx)
        opened = time.time()
        page = open_page(new_context, server.url("/"))
        boundary = next_boundary(opened)
        page.wait_for_function(
            "performance.getEntriesByType('resource').some(e => e.name.includes('/live/'))",
            timeout=8000,
        )
        page.wait_for_timeout(max(0.0, boundary - 1.5 - time.time()) * 1000)
        page.evaluate("htmx.trigger('#live', 'dashboard:refresh')")
        page.wait_for_timeout(max(0.0, boundary + 2 - time.time()) * 1000)
        assert_flipped_on_time(page, shift, boundary)
        server.fetched_ahead(opened, boundary)  # and htmx asked for nothing


def test_a_statement_due_at_the_boundary_comes_at_once(app, serve, local_htmx, new_context):
    """The block fetched ahead cannot hold it (it was under embargo then): the clocks flip on
    time from it, and htmx asks for the block that names the statement right after."""
    with boundary_soon(9) as shift:
        server = serve(**local_htmx)
        opened = time.time()
        boundary = next_boundary(opened)
        with app.app_context():
            editing.save_statement(
                {
                    "title": "Embargoed until the boundary",
                    "slug": "embargoed-until-the-boundary",
                    "published": dt.datetime.fromtimestamp(boundary, dt.UTC),
                    "summary": "Under embargo until the minute turns.",
                    "featured": False,
                }
            )
        page = open_page(new_context, server.url("/"))
        assert "Embargoed until the boundary" not in page.inner_text("#statements")
        time.sleep(max(0.0, boundary - 1 - time.time()))
        assert "Embargoed until the boundary" not in page.inner_text("#statements")
        page.wait_for_function(
            "document.getElementById('statements').innerText.includes('Embargoed until')",
            timeout=5000,
        )
        arrived = time.time() - boundary
        assert_flipped_on_time(page, shift, boundary)
        asked = [h for h in server.fragment_hits() if h.at >= opened]
        assert len(asked) == 1 and asked[0].at >= boundary, asked
    assert arrived <= 3, f"the statement came {arrived:.1f}s after its instant"


def test_a_block_that_changes_at_midnight_is_not_fetched_every_minute(
    serve, local_htmx, new_context
):
    """A counter's page changes at the counter's midnight: it fetches nothing ahead before the
    minute that ends there, and asks only the server's time meanwhile."""
    server = serve(**local_htmx)
    opened = time.time()
    page = open_page(new_context, server.url("/counters/salisbury"))
    page.wait_for_function("window.htmx !== undefined")
    page.wait_for_timeout(3000)
    (asked,) = server.ahead_hits(opened)  # the time only (a HEAD): no block is due
    assert asked.status == 200
    assert [h for h in server.fragment_hits() if h.at >= opened] == []


def test_the_editors_own_page_shows_an_edit_at_once(app, serve, local_htmx, new_context):
    """The admin, open in another tab of the same browser, tells the page an edit was made;
    the page asks again at once, past every cache, rather than at the boundary (or, holding a
    block fetched ahead, the one after)."""
    make_admin(app)
    session = signed_in_client(app).get_cookie(app.config["SESSION_COOKIE_NAME"])
    server = serve(**local_htmx)
    context = new_context()
    context.add_cookies([{"name": session.key, "value": session.value, "url": server.url("/")}])
    clear_of_boundaries(before=15, after=2)
    page = context.new_page()
    page.goto(server.url("/"))
    page.wait_for_function("window.htmx !== undefined")
    admin = context.new_page()
    admin.goto(server.url("/admin/"))
    assert admin.get_attribute("body", "data-revision")
    with app.app_context():
        editing.save_statement(
            {
                "title": "Edited just now",
                "slug": "edited-just-now",
                "published": dt.datetime.now(dt.UTC) - dt.timedelta(hours=1),
                "summary": "By the editor.",
                "featured": False,
            }
        )
    admin.reload()  # the admin's next page, as after saving
    page.wait_for_function(
        "document.getElementById('statements').innerText.includes('Edited just now')",
        timeout=5000,
    )
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1  # no reload
