"""Part 9 of the benchmark keeps working as the code under it moves: its search, its reading of
a live block, its clients' schedule, and one small trial of its load generator against a local
server (bench/prefetch.py, bench/loadgen.py; the real run takes minutes)."""

from __future__ import annotations

import asyncio
import http.server
import json
import threading
import time

import pytest

from bench import loadgen, prefetch


def test_the_search_doubles_until_a_failure_then_halves_the_gap():
    search = prefetch.Search("ahead", 4000)
    for n, ok in ((4000, True), (8000, True), (16000, False), (12000, True), (14000, True)):
        assert search.n == n
        search.record(n, ok)
    assert (search.passed, search.failed) == (14000, 16000)
    assert search.settled  # within 15%


def test_a_search_that_fails_at_once_goes_down():
    search = prefetch.Search("boundary", 250)
    search.record(250, False)
    assert search.n == 125 and not search.settled


def test_the_minute_a_block_shows_is_its_first_clocks():
    body = (
        '<section id="live" data-next-change="1796226780000">'
        '<time datetime="2026-12-02">2 December</time>'
        '<time class="clock-time" datetime="2026-12-02T18:52:00+03:00" title="x">18:52</time>'
        '<time class="clock-time" datetime="2026-12-02T15:52:00+00:00">15:52</time>'
    )
    minute, next_change = prefetch.shown_minute(body)
    assert minute == 1796226720  # 15:52 UTC
    assert next_change == 1796226780000
    assert prefetch.live_path(minute + 30) == "/live/2026-12-02T15:52Z?view=page&lang=en"


def test_clients_are_spread_evenly_and_shared_out():
    plan = {"clients": 10, "start": 100.0, "end": 140.0, "seed": 1}
    everyone = []
    for offset in range(3):
        everyone += loadgen.instants({**plan, "offset": offset, "stride": 3})
    assert sorted(n for n, _at in everyone) == list(range(10))
    for number, at in everyone:
        assert 100 + number * 4 <= at < 100 + (number + 1) * 4
    at_once = loadgen.instants({**plan, "end": 100.0, "offset": 0, "stride": 1})
    assert {at for _n, at in at_once} == {100.0}


class Answer(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        body = b"ok" * 100 if self.path == "/ok" else b"no"
        self.send_response(200 if self.path == "/ok" else 503)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.mark.system  # over a second: in the full suite, not the fast tier
def test_a_small_trial_counts_arrivals_retries_and_errors(tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        now = time.time()
        results = {}
        for path in ("/ok", "/fail"):
            plan = {
                "host": "127.0.0.1", "port": server.server_address[1], "path": path,
                "headers": {}, "clients": 6, "offset": 0, "stride": 1,
                "start": now, "end": now + 0.3, "deadline": now + 1.5, "pass_by": now + 1.5,
                "timeout": 1.0, "retry": [0.4, 0.5],
                "summary_path": str(tmp_path / f"{path[1:]}.json"),
                "records_path": str(tmp_path / f"{path[1:]}.jsonl"),
            }  # fmt: skip
            asyncio.run(loadgen.Trial(plan).run())
            results[path] = json.loads((tmp_path / f"{path[1:]}.json").read_text())
    finally:
        server.shutdown()
        server.server_close()
    good, bad = results["/ok"], results["/fail"]
    assert (good["mine"], good["arrived"], good["arrived_by"], good["errors"]) == (6, 6, 6, {})
    assert good["sample"]["body"] == "ok" * 100
    assert bad["arrived"] == 0 and bad["retried_clients"] == 6
    assert bad["errors"] == {"HTTP 503": bad["requests"]} and bad["requests"] >= 12
    assert bad["failed_clients"] == {"HTTP 503": 6}
    lines = (tmp_path / "fail.jsonl").read_text().splitlines()
    assert len(lines) == 6 and all(len(json.loads(line)["tries"]) >= 2 for line in lines)
