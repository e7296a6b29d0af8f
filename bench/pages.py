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


def is_live_request(entry: dict) -> bool:
    """A page's request for its live block: htmx's fragment, or a block fetched ahead."""
    return entry["hx"] or entry["path"].startswith("/live/")


def busiest_second(entries: list[dict]) -> dict:
    """The whole second (Unix) with the most of these requests, and its share of them all."""
    per_second: dict[int, int] = {}
    for entry in entries:
        per_second[int(entry["at"])] = per_second.get(int(entry["at"]), 0) + 1
    if not per_second:
        return {"second": None, "requests": 0, "share": None}
    second, count = max(per_second.items(), key=lambda item: item[1])
    return {
        "second": time.strftime("%H:%M:%S", time.gmtime(second)),
        "requests": count,
        "share": round(count / len(entries), 3),
    }


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
    fragments = [e for e in steady if is_live_request(e)]
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


BOUNDARIES = ("first", "second", "third")
ON_TIME_S = 0.1  # a flip within 100 ms of its boundary is on time


def boundary_pages(nginx: BenchNginx, count: int) -> dict:
    """`count` viewers (each a browser context of its own: its own cache and cookies) open the
    page behind nginx at seconds spread over one minute, so all but the first get the copy
    nginx made for the first; then all of them cross the next three boundaries together. When
    does each one show the new minute, how many requests do the pages make (nginx's access log:
    every request to its port, blocks fetched ahead included), how are they spread over the
    seconds, and what did nginx answer?"""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            if seconds_into_minute() > 2:
                time.sleep(60 - seconds_into_minute() + 3)
            minute = int(time.time()) // 60 * 60
            instants = [minute + 60 * number for number in range(1, len(BOUNDARIES) + 1)]
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
            loaded = time.time()
            log(f"  {count} pages open; waiting for {len(BOUNDARIES)} boundaries")
            end = instants[-1] + 10
            time.sleep(max(0.0, end + 1 - time.time()))
            viewers = [_viewer(page, opened, minute, instants) for page, opened in pages]
        finally:
            browser.close()
    time.sleep(1.5)  # the access log is flushed every second
    result: dict = {"pages": count, "viewers": viewers}
    ours = [
        e for e in read_access_log(nginx) if e["port"] == nginx.port and loaded < e["at"] <= end
    ]
    # each boundary's share of the requests: from 50 s before it to 10 s after (the first from
    # when the last page had loaded)
    since = loaded
    for key, instant in zip(BOUNDARIES, instants, strict=True):
        entries = [e for e in ours if since < e["at"] <= instant + 10]
        since = instant + 10
        answers: dict[str, int] = {}
        for entry in entries:
            answers[entry["cache"] or "-"] = answers.get(entry["cache"] or "-", 0) + 1
        flipped = [v[key] for v in viewers if v[key] is not None]
        result[key] = {
            "boundary": time.strftime("%H:%M:%S", time.gmtime(instant)),
            "flipped_within_10s": len(flipped),
            "flip_median_s": round(statistics.median(flipped), 3) if flipped else None,
            "flip_max_s": round(max(flipped), 3) if flipped else None,
            "flips_after_boundary_s": [v[key] for v in viewers],
            "all_within_100ms": len(flipped) == count and max(flipped) <= ON_TIME_S,
            "requests": len(entries),
            "live_requests": sum(1 for e in entries if is_live_request(e)),
            "busiest_second": busiest_second(entries),
            "nginx_answers": answers,
            "nginx_timeline": [
                f"{e['at'] - instant:+.3f} {e['path']} {e['status']} {e['cache']}" for e in entries
            ],
        }
    flips = [v[key] for v in viewers for key in BOUNDARIES]
    result["all_within_100ms"] = all(f is not None and f <= ON_TIME_S for f in flips)
    result["flip_max_s"] = max((f for f in flips if f is not None), default=None)
    result["requests"] = len(ours)
    result["busiest_second"] = busiest_second(ours)
    result["window"] = [round(loaded - minute, 1), round(end - minute, 1)]  # s after `minute`
    return result


def _viewer(page, opened: float, minute: int, instants: list[int]) -> dict:
    changes = shown_changes(page.evaluate("window.__shown"))
    first = instants[0]
    viewer = {
        "opened_at_second": round(opened - minute, 1),
        "visible": page.evaluate("document.visibilityState"),
        "changes": [f"{c['at'] - first:+.3f} s: shows {c['shows'] - first:+.0f}" for c in changes],
        # htmx's own requests (a block fetched ahead is not one: nginx's log counts those)
        "asks_after_boundary": [round(t / 1000 - first, 3) for t in page.evaluate("window.__asks")],
        "went_back": sum(1 for c in changes if c["shows"] < c["before"]),
    }
    for key, instant in zip(BOUNDARIES, instants, strict=True):
        # when it first showed each boundary's minute (None: not within 10 s)
        viewer[key] = _first_showing(changes, instant, 10)
        viewer[f"{key}_at_all"] = _first_showing(changes, instant, None)
    return viewer


def _first_showing(changes: list[dict], boundary: float, within: float | None) -> float | None:
    """Seconds after `boundary` at which the page first showed that minute or a later one
    (None: not within `within` seconds)."""
    for change in changes:
        if change["shows"] >= boundary and (within is None or change["at"] <= boundary + within):
            return round(change["at"] - boundary, 3)
    return None
