"""Part 9: fetching the next minute's live block ahead of time, against fetching it at the
boundary, with simulated browsers against `dashboard serve` (no nginx: the origin alone).

Each real minute M holds two trials that do not overlap:

- ahead: N clients each ask for /live/<M+1>?view=page&lang=en at a random moment of their own
  equal share of [M+5 s, M+45 s], and try a failed request again after 1 to 4 s, at most six
  times and not in the last 5.5 s, as static/live.js does. It passes when every client has its
  200 before the boundary M+60.
- at the boundary: N clients all ask for /?lang=en with HX-Request: true (what pages did before
  /live/) at M+60.1 s. It passes when every client has its 200 within 1 s of the boundary.

For each side N grows (doubling) until a trial fails, then is bisected, within --prefetch-minutes
real minutes. The clients are new TCP connections to 127.0.0.1, one each, from a few processes of
bench/loadgen.py on the same machine as the server."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import subprocess
import time
from pathlib import Path

from bench.common import PY, BenchError, fetch, log, tail
from bench.procs import Processes
from bench.servers import Server
from tests.helpers.servers import HOST

AHEAD_START, BOUNDARY_START = 4000, 250  # the first N of each side
AHEAD_WINDOW = (5.0, 45.0)  # seconds into the minute in which the next minute is fetched
# As static/live.js: a failed ahead request is tried again after 1 to 4 s (shortened so as to
# leave the last 4.5 s free), at most 6 times, and not once 5.5 s or less are left.
RETRY_AFTER = (1.0, 4.0)
TRIES = 7
NO_RETRY_WITHIN = 5.5
ATTEMPT_TIMEOUT = 20.0  # as long as live.js gives an htmx request
BOUNDARY_DELAY = 0.1  # pages asked 100 ms after the boundary
BOUNDARY_WITHIN = 1.0  # ... and pass when every answer is in within 1 s of it
BOUNDARY_GIVE_UP = 3.0  # a boundary client still waiting then has failed long before
PRECISION = 1.15  # a side is settled once its smallest failing N is within 15% of its largest pass
GOAL = 20.0  # ahead / boundary
MINUTE_FORMAT = "%Y-%m-%dT%H:%MZ"


def live_path(minute: float) -> str:
    stamp = dt.datetime.fromtimestamp(minute, dt.UTC).strftime(MINUTE_FORMAT)
    return f"/live/{stamp}?view=page&lang=en"


def shown_minute(body: str) -> tuple[float | None, int | None]:
    """The minute (Unix s) the first clock of a live block shows, and its data-next-change (ms)."""
    minute = next_change = None
    tag = re.search(r'<[^>]*\bclass="clock-time"[^>]*>', body)
    if tag and (found := re.search(r'\bdatetime="([^"]+)"', tag.group(0))):
        with_zone = dt.datetime.fromisoformat(found.group(1))
        minute = with_zone.timestamp() // 60 * 60 if with_zone.tzinfo else None
    if found := re.search(r'\bdata-next-change="(\d+)"', body):
        next_change = int(found.group(1))
    return minute, next_change


@dataclasses.dataclass
class Search:
    """Doubling from `n` until a trial fails, then halving the gap."""

    side: str
    n: int
    passed: int | None = None  # the largest N that passed
    failed: int | None = None  # the smallest N that failed

    def record(self, n: int, ok: bool) -> None:
        if ok:
            self.passed = max(self.passed or 0, n)
        else:
            self.failed = n if self.failed is None else min(self.failed, n)
        if self.failed is None:
            self.n = self.passed * 2
        elif self.passed is None:
            self.n = self.failed // 2
        else:
            self.n = (self.passed + self.failed) // 2

    @property
    def settled(self) -> bool:
        if self.failed is None:
            return False
        if self.passed is None:
            return self.n < 1
        return self.failed <= self.passed * PRECISION or self.failed - self.passed <= 1


class LoadGenerators:
    """Processes of bench/loadgen.py, each taking trials on its stdin; a trial's clients are
    shared out among them."""

    def __init__(self, procs: Processes, folder: Path, count: int):
        self.procs, self.folder, self.trials = procs, folder, 0
        self.processes = [
            procs.start(
                f"load generator {number}",
                [PY, "-m", "bench.loadgen"],
                folder / f"loadgen-{number}.log",
                stdin=subprocess.PIPE,
            )
            for number in range(count)
        ]

    def stop(self) -> None:
        for process in self.processes:
            self.procs.stop(process)

    def submit(self, plan: dict) -> list[Path]:
        self.trials += 1
        paths = []
        for number, process in enumerate(self.processes):
            name = f"{self.trials:02d}-{plan['side']}-{number}"
            summary = self.folder / f"{name}.summary.json"
            part = {
                **plan,
                "offset": number,
                "stride": len(self.processes),
                "seed": self.trials,
                "summary_path": str(summary),
                "records_path": str(self.folder / f"{name}.requests.jsonl"),
            }
            process.stdin.write((json.dumps(part) + "\n").encode())
            process.stdin.flush()
            paths.append(summary)
        return paths

    def collect(self, paths: list[Path], by: float) -> dict:
        """The trial's summaries, added up, once every process has written its own."""
        while not all(path.exists() for path in paths):
            for number, process in enumerate(self.processes):
                if process.poll() is not None:
                    log_path = self.folder / f"loadgen-{number}.log"
                    raise BenchError(f"load generator {number} exited:\n{tail(log_path)}")
            if time.time() > by:
                raise BenchError(
                    f"the load generators had not reported by {by - time.time():+.0f}s"
                )
            time.sleep(0.02)
        parts = [json.loads(path.read_text()) for path in paths]
        for part in parts:
            if "error" in part:
                raise BenchError(f"a load generator failed:\n{part['error']}")
        merged: dict = {"sample": next((p["sample"] for p in parts if p["sample"]), None)}
        for key in ("mine", "arrived", "arrived_by", "requests", "retried_clients"):
            merged[key] = sum(p[key] for p in parts)
        arrivals = [p["latest_arrival"] for p in parts if p["latest_arrival"] is not None]
        merged["latest_arrival"] = max(arrivals) if arrivals else None
        merged["open_files_limit"] = min(p["open_files_limit"] for p in parts)
        for key in ("sends_per_second", "errors", "failed_clients", "latency_ms"):
            merged[key] = {}
            for part in parts:
                for name, count in part[key].items():
                    merged[key][name] = merged[key].get(name, 0) + count
        return merged


def percentile(histogram: dict[str, int], share: float) -> float | None:
    total = sum(histogram.values())
    if not total:
        return None
    seen = 0
    for value, count in sorted((float(v), c) for v, c in histogram.items()):
        seen += count
        if seen >= share * total:
            return value
    return None


def trial_row(side: str, n: int, boundary: float, got: dict) -> dict:
    requests = got["requests"]
    busiest = max(got["sends_per_second"].values(), default=0)
    latest = got["latest_arrival"]
    return {
        "side": side,
        "n": n,
        "boundary": time.strftime("%H:%M", time.gmtime(boundary)),
        "passed": got["arrived_by"] == n,
        "arrived": got["arrived"],
        "arrived_in_time": got["arrived_by"],
        "latest_after_boundary_s": None if latest is None else round(latest - boundary, 3),
        "requests": requests,
        "retried_clients": got["retried_clients"],
        "errors": sum(got["errors"].values()),
        "error_kinds": got["errors"],
        "failed_clients": got["failed_clients"],
        "busiest_second_share": round(busiest / requests, 4) if requests else None,
        "p50_ms": percentile(got["latency_ms"], 0.5),
        "p99_ms": percentile(got["latency_ms"], 0.99),
        "max_ms": percentile(got["latency_ms"], 1.0),
    }


def check_block(row: dict, got: dict, wanted_minute: float, strict: bool) -> None:
    """Does the sample answer show `wanted_minute`? An ahead answer that does not is a wrong
    benchmark, not a slow server: stop."""
    sample = got["sample"]
    minute, next_change = shown_minute(sample["body"]) if sample else (None, None)
    row["shows"] = None if minute is None else time.strftime("%H:%M", time.gmtime(minute))
    row["shows_right_minute"] = minute == wanted_minute
    if sample:
        head = sample["head"].lower()
        row["cache_control"] = (re.search(r"^cache-control:\s*(.+?)\r?$", head, re.M) or [0, ""])[1]
    if not strict or sample is None:
        return
    if minute != wanted_minute:
        raise BenchError(
            f"an ahead answer shows {row['shows']}, not the minute it was asked for "
            f"({time.strftime('%H:%M', time.gmtime(wanted_minute))}):\n{sample['body'][:600]}"
        )
    if (
        next_change is not None
        and not wanted_minute * 1000 < next_change <= (wanted_minute + 60) * 1000
    ):
        raise BenchError(f"an ahead answer's data-next-change {next_change} is not in its minute")


def load_processes() -> int:
    """One a core, less the two the server's workers need, and at least two."""
    return max(2, (os.cpu_count() or 2) - 2)


def measure(procs: Processes, server: Server, folder: Path, minutes: int) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    probe = time.time() // 60 * 60 + 60
    status, headers, _ = fetch(server.port, live_path(probe))
    if status != 200:
        raise BenchError(f"GET {live_path(probe)} answered {status}: this part needs /live/")
    generators = LoadGenerators(procs, folder, load_processes())
    try:
        return search_both(server, generators, minutes)
    finally:
        generators.stop()


def search_both(server: Server, generators: LoadGenerators, minutes: int) -> dict:
    ahead, boundary = Search("ahead", AHEAD_START), Search("boundary", BOUNDARY_START)
    trials: list[dict] = []
    used = 0
    minute = time.time() // 60 * 60
    while used < minutes and not (ahead.settled and boundary.settled):
        if time.time() > minute + AHEAD_WINDOW[0] - 1:  # too late for this minute's window
            used += bool(trials)  # a minute lost after a trial ran late counts; the first wait not
            minute += 60
            time.sleep(max(0.0, minute + 1 - time.time()))
            continue
        used += 1
        edge = minute + 60
        pending = {}
        if not ahead.settled:
            log(f"  {time.strftime('%H:%M', time.gmtime(minute))}: ahead, {ahead.n:,} clients")
            pending["ahead"] = (ahead, generators.submit(ahead_plan(server.port, ahead.n, minute)))
        if not boundary.settled:
            log(f"  {time.strftime('%H:%M', time.gmtime(edge))}: boundary, {boundary.n:,} clients")
            plan = boundary_plan(server.port, boundary.n, edge)
            pending["boundary"] = (boundary, generators.submit(plan))
        ahead_failed = False
        for side, (search, paths) in pending.items():
            got = generators.collect(paths, by=edge + 30)
            row = trial_row(side, search.n, edge, got)
            check_block(row, got, edge, strict=side == "ahead")
            if side == "ahead":
                ahead_failed = not row["passed"]
            elif ahead_failed and not row["passed"]:
                # the ahead trial's backlog may still have held the server at the boundary
                row["spoiled"] = True
            trials.append(row)
            log("    " + trial_text(row))
            if not row.get("spoiled"):
                search.record(row["n"], row["passed"])
        minute += 60
    return summary(ahead, boundary, trials, minutes, used, generators)


def ahead_plan(port: int, n: int, minute: float) -> dict:
    return {
        "side": "ahead", "host": HOST, "port": port, "path": live_path(minute + 60),
        "headers": {"Accept": "*/*"}, "clients": n,
        "start": minute + AHEAD_WINDOW[0], "end": minute + AHEAD_WINDOW[1],
        "deadline": minute + 60, "pass_by": minute + 60,
        "timeout": ATTEMPT_TIMEOUT, "retry": list(RETRY_AFTER), "tries": TRIES,
        "no_retry_within": NO_RETRY_WITHIN,
        # its requests' records are not written out around the boundary trial
        "quiet": [minute + 55, minute + 60 + BOUNDARY_GIVE_UP + 0.5],
    }  # fmt: skip


def boundary_plan(port: int, n: int, edge: float) -> dict:
    at = edge + BOUNDARY_DELAY
    return {
        "side": "boundary", "host": HOST, "port": port, "path": "/?lang=en",
        "headers": {"Accept": "*/*", "HX-Request": "true"}, "clients": n,
        "start": at, "end": at, "deadline": edge + BOUNDARY_GIVE_UP,
        "pass_by": edge + BOUNDARY_WITHIN, "timeout": BOUNDARY_GIVE_UP, "retry": None,
    }  # fmt: skip


def summary(ahead, boundary, trials, minutes, used, generators) -> dict:
    ratio = None
    if ahead.passed and boundary.passed:
        ratio = ahead.passed / boundary.passed
    return {
        "cores": os.cpu_count(),
        "load_processes": len(generators.processes),
        "minutes_budget": minutes,
        "minutes_used": used,
        "ahead": {"largest_passed": ahead.passed, "smallest_failed": ahead.failed},
        "boundary": {"largest_passed": boundary.passed, "smallest_failed": boundary.failed},
        "ratio": None if ratio is None else round(ratio, 2),
        # ahead never failed (and the boundary did): the real ratio is at least this
        "ratio_at_least": ahead.failed is None and boundary.failed is not None,
        "goal": GOAL,
        "met": verdict(ratio, ahead, boundary),
        "trials": trials,
    }


def verdict(ratio: float | None, ahead: Search, boundary: Search) -> bool | None:
    """True or False when the trials decide it; None when the budget left it open: the boundary
    never failed (its limit is unknown), or ahead is short of the goal yet never failed."""
    if ratio is None or boundary.failed is None:
        return None
    if ratio >= GOAL:
        return True
    return None if ahead.failed is None else False


def wrong_minute(row: dict) -> bool:
    return row.get("shows") is not None and not row.get("shows_right_minute")


def trial_text(row: dict) -> str:
    latest = row["latest_after_boundary_s"]
    share = row["busiest_second_share"]
    return (
        f"{row['side']:<8} {row['n']:>7,} {'for' if row['side'] == 'ahead' else 'at'} "
        f"{row['boundary']}: "
        + ("passed" if row["passed"] else "FAILED")
        + (" (spoiled by the ahead trial's backlog)" if row.get("spoiled") else "")
        + (f" (an answer showed {row['shows']})" if wrong_minute(row) else "")
        + f"; {row['arrived_in_time']:,} in time; latest "
        + ("-" if latest is None else f"{latest:+.2f} s")
        + f" from the boundary; {row['errors']} errors"
        + (f" {row['error_kinds']}" if row["errors"] else "")
        + f"; busiest second {'-' if share is None else f'{share:.1%}'} of requests"
        + f"; p50 {row['p50_ms']} ms p99 {row['p99_ms']} ms"
    )


def report_lines(result: dict) -> list[str]:
    ahead, boundary = result["ahead"], result["boundary"]
    ratio = result["ratio"]
    ratio_text = "-" if ratio is None else f"{ratio:.1f}x"
    if result["ratio_at_least"]:
        ratio_text = f"≥ {ratio_text} (ahead never failed)"
    if result["met"] is None:
        outcome = "not decided within the budget"
        if ratio is not None and boundary["smallest_failed"] is None:
            outcome += " (the boundary side never failed)"
    else:
        outcome = "met" if result["met"] else "MISSED"
    lines = [
        f"9  prefetch: largest N of clients all served in time, {result['minutes_used']} of "
        f"{result['minutes_budget']} minutes, {result['cores']} CPUs shared with "
        f"{result['load_processes']} load-generator processes:",
        f"   ahead (next minute at :05-:45, retried, by :60): passed {_n(ahead['largest_passed'])}"
        f", failed {_n(ahead['smallest_failed'])}",
        f"   at the boundary (all at :00.1, within 1 s, generous): passed "
        f"{_n(boundary['largest_passed'])}, failed {_n(boundary['smallest_failed'])}",
        f"   ahead / boundary {ratio_text}; goal >= {result['goal']:g}x: {outcome}",
    ]
    lines += ["     " + trial_text(row) for row in result["trials"]]
    return lines


def _n(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"
