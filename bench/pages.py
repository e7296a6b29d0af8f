"""Measurement 6: open pages in Chromium behind nginx: what one idle page costs a minute, and
when each of several pages shows the new minute at a boundary."""

from __future__ import annotations

import datetime as dt
import statistics
import time

from bench.common import log
from bench.proxy import BenchNginx, read_access_log
from bench.wrk import seconds_into_minute
from tests.helpers.chromium import launch_chromium

# Put in every page before its own scripts: records the minute the (first) clock shows (its
# datetime attribute) each time it changes, the first one included, and when htmx sends a
# request; times are Date.now(), the same clock as time.time() here.
FLIP_SCRIPT = """
(function () {
  window.__shown = []; window.__asks = [];
  var last = null;
  function check() {
    var el = document.querySelector('.clock-time');
    var now = el ? el.getAttribute('datetime') : null;
    if (now === null || now === last) return;
    window.__shown.push([Date.now(), now]);
    last = now;
  }
  document.addEventListener('DOMContentLoaded', function () {
    check();
    new MutationObserver(check).observe(document.body,
      {childList: true, subtree: true, characterData: true, attributes: true});
  });
  document.addEventListener('htmx:beforeRequest', function () { window.__asks.push(Date.now()); });
})();
"""


def shown_changes(shown: list) -> list[dict]:
    """From FLIP_SCRIPT's records: each change of the minute shown, when it came (Unix s), the
    minute it shows (Unix s of its start), and how long after that minute began it came."""
    changes = []
    starts = [dt.datetime.fromisoformat(iso).timestamp() for _at, iso in shown]
    for (at_ms, _iso), before, start in zip(shown[1:], starts, starts[1:], strict=False):
        changes.append(
            {
                "at": at_ms / 1000,
                "shows": start,
                "before": before,
                "late_s": round(at_ms / 1000 - start, 3),
            }
        )
    return changes


def idle_page(nginx: BenchNginx, minutes: int) -> dict:
    """Open the page in Chromium and leave it for whole minutes, counting from nginx's access log
    what it costs. Most viewers behind a cache get a copy another viewer's request made: so a
    first browser page opens at second ~3 of a minute (and closes), and the measured one opens
    at second ~35 and gets that copy."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            if seconds_into_minute() > 2:
                time.sleep(60 - seconds_into_minute() + 3)
            earlier = browser.new_page()
            earlier.goto(nginx.url("/"), wait_until="load")
            earlier.close()
            time.sleep(max(0.0, 35 - seconds_into_minute()))
            log("  opening the page")
            page = browser.new_page()
            page.add_init_script(FLIP_SCRIPT)
            opened = time.time()
            page.goto(nginx.url("/"), wait_until="load")
            page.wait_for_load_state("networkidle")
            loaded = time.time()
            htmx_ok = page.evaluate("typeof window.htmx === 'object'")
            end = loaded + minutes * 60
            while time.time() < end:
                time.sleep(min(5.0, max(0.0, end - time.time())))
                page.evaluate("1")  # keeps the connection to the browser serviced
            changes = shown_changes(page.evaluate("window.__shown || []"))
            shown = page.text_content(".clock-time") or ""
        finally:
            browser.close()
    time.sleep(1.5)  # the access log is flushed every second
    ours = [
        e
        for e in read_access_log(nginx)
        if e["at"] >= opened - 0.05 and e["port"] in (nginx.port, nginx.static_port)
    ]
    initial = [e for e in ours if e["at"] <= loaded]
    steady = [e for e in ours if loaded < e["at"] <= end + 0.5]
    fragments = [e for e in steady if e["hx"]]
    return {
        "minutes": minutes,
        "boundaries": int(end // 60 - loaded // 60),
        "htmx_loaded": htmx_ok,
        "initial_requests": len(initial),
        "initial_bytes": sum(e["bytes"] for e in initial),
        "initial_paths": [f"{e['path']} {e['status']} {e['cache']}" for e in initial],
        "requests_per_minute": round(len(steady) / minutes, 2),
        "bytes_per_minute": round(sum(e["bytes"] for e in steady) / minutes),
        "request_bytes_per_minute": round(sum(e["request_bytes"] for e in steady) / minutes),
        "steady_requests": [
            f"{time.strftime('%H:%M:%S', time.gmtime(e['at']))}.{int(e['at'] % 1 * 1000):03d} "
            f"{e['path']} hx={e['hx']} {e['status']} {e['bytes']} B {e['cache']}"
            for e in steady
        ],
        # how late each refresh came after the minute boundary it was for
        "seconds_after_boundary": [round(e["at"] % 60, 2) for e in fragments],
        "reached_app": sum(1 for e in steady if e["cache"] in ("MISS", "EXPIRED")),
        # each change of the minute shown: seconds after that minute began (late_s)
        "flips_after_boundary": [c["late_s"] for c in changes],
        "went_back": sum(1 for c in changes if c["shows"] < c["before"]),
        "clock_shown_at_end": shown,
    }


def boundary_pages(nginx: BenchNginx, count: int) -> dict:
    """`count` viewers (each a browser context of its own: its own cache and cookies) open the
    page behind nginx at seconds spread over one minute, so all but the first get the copy
    nginx made for the first; then all of them cross the next two boundaries together. When
    does each one show the new minute, how many requests does each make, and what did nginx
    answer? At the first boundary nginx's copy of the fragment may be older than a minute (no
    page asked for it during the minute the pages opened); at the second it is a minute old."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            if seconds_into_minute() > 2:
                time.sleep(60 - seconds_into_minute() + 3)
            minute = int(time.time()) // 60 * 60
            boundary = minute + 60
            pages = []
            for number in range(count):
                opening = minute + 3 + number * (50 / max(1, count - 1))  # :03 … :53
                time.sleep(max(0.0, opening - time.time()))
                context = browser.new_context()
                page = context.new_page()
                page.add_init_script(FLIP_SCRIPT)
                opened = time.time()
                page.goto(nginx.url("/"), wait_until="load")
                pages.append((page, opened))
            log(f"  {count} pages open; waiting for two boundaries and a minute")
            second = boundary + 60
            time.sleep(max(0.0, second + 65 - time.time()))
            viewers = []
            for page, opened in pages:
                changes = shown_changes(page.evaluate("window.__shown"))
                asks = page.evaluate("window.__asks")
                viewers.append(
                    {
                        "opened_at_second": round(opened - minute, 1),
                        "visible": page.evaluate("document.visibilityState"),
                        "changes": [
                            f"{c['at'] - boundary:+.3f} s: shows {c['shows'] - boundary:+.0f}"
                            for c in changes
                        ],
                        "asks_after_boundary": [round(t / 1000 - boundary, 3) for t in asks],
                        # when it first showed each boundary's minute (None: not within 10 s)
                        "first": _first_showing(changes, boundary, 10),
                        "second": _first_showing(changes, second, 10),
                        "first_at_all": _first_showing(changes, boundary, None),
                        "second_at_all": _first_showing(changes, second, None),
                        "went_back": sum(1 for c in changes if c["shows"] < c["before"]),
                    }
                )
        finally:
            browser.close()
    time.sleep(1.5)  # the access log is flushed every second
    result: dict = {"pages": count, "viewers": viewers}
    log_entries = read_access_log(nginx)
    for key, instant in (("first", boundary), ("second", second)):
        answers: dict[str, int] = {}
        timeline = []
        for entry in log_entries:
            near = instant - 1 <= entry["at"] <= instant + 10
            if entry["port"] == nginx.port and entry["hx"] and near:
                answers[entry["cache"]] = answers.get(entry["cache"], 0) + 1
                timeline.append(f"{entry['at'] - instant:+.3f} {entry['status']} {entry['cache']}")
        flipped = [v[key] for v in viewers if v[key] is not None]
        result[key] = {
            "boundary": time.strftime("%H:%M:%S", time.gmtime(instant)),
            "flipped_within_10s": len(flipped),
            "flip_median_s": round(statistics.median(flipped), 3) if flipped else None,
            "flip_max_s": round(max(flipped), 3) if flipped else None,
            "requests": sum(
                1
                for v in viewers
                for t in v["asks_after_boundary"]
                if -1 <= t - (instant - boundary) <= 10
            ),
            "nginx_answers": answers,
            "nginx_timeline": timeline,
        }
    return result


def _first_showing(changes: list[dict], boundary: float, within: float | None) -> float | None:
    """Seconds after `boundary` at which the page first showed that minute or a later one
    (None: not within `within` seconds)."""
    for change in changes:
        if change["shows"] >= boundary and (within is None or change["at"] <= boundary + within):
            return round(change["at"] - boundary, 3)
    return None
