"""Measurement 7: a fixed-rate mixed load against `dashboard serve`, its errors, latency and
the workers' memory before and after."""

from __future__ import annotations

import http.client
import threading
import time

from bench.common import log
from bench.procs import rss_kb, server_processes
from bench.servers import Server
from tests.helpers.servers import HOST

SOAK_MIX = (
    [("/", {})] * 8
    + [("/", {"HX-Request": "true"})] * 8
    + [("/api/v1/snapshot", {})] * 2
    + [("/statements", {})]
    + [("/", "etag")]
)


def soak(dashboard: Server, minutes: float, rate: int) -> dict:
    warmup = 15.0
    log(f"  warm-up {warmup:g}s at the same rate")
    run_load(dashboard.port, rate, warmup)
    processes = server_processes(dashboard.process.pid)
    watched = {pid: f"worker {pid}" for pid in processes["workers"]}
    watched.update({pid: f"main {pid}" for pid in processes["main"]})
    watched.update({pid: f"scheduler {pid}" for pid in processes["scheduler"]})
    start_rss = {pid: rss_kb(pid) for pid in watched}
    samples: list[dict] = []
    stop = threading.Event()

    def sampler() -> None:
        while not stop.wait(30):
            samples.append({watched[p]: rss_kb(p) for p in watched})

    thread = threading.Thread(target=sampler, daemon=True)
    thread.start()
    result = run_load(dashboard.port, rate, minutes * 60)
    stop.set()
    thread.join(timeout=5)
    end_rss = {pid: rss_kb(pid) for pid in watched}
    workers_start = sum(start_rss[p] or 0 for p in processes["workers"])
    workers_end = sum(end_rss[p] or 0 for p in processes["workers"])
    replaced = [p for p in processes["workers"] if end_rss[p] is None]
    result.update(
        {
            "rss_kb_start": {watched[p]: start_rss[p] for p in watched},
            "rss_kb_end": {watched[p]: end_rss[p] for p in watched},
            "rss_kb_every_30s": samples,
            "workers_rss_growth_pct": round(100 * (workers_end - workers_start) / workers_start, 1)
            if workers_start
            else None,
            "workers_replaced": replaced,
        }
    )
    return result


def run_load(port: int, rate: int, seconds: float, workers: int = 24) -> dict:
    """A fixed-rate load: request i is due at start + i/rate; bounded by count and by time."""
    total = int(rate * seconds)
    start = time.monotonic() + 0.2
    hard_stop = start + seconds + 30
    counter = iter(range(total))
    counter_lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []
    late = [0]
    statuses: dict[int, int] = {}
    record = threading.Lock()

    def worker() -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=10)
        etag = ""
        try:
            while True:
                with counter_lock:
                    index = next(counter, None)
                if index is None or time.monotonic() > hard_stop:
                    return
                due = start + index / rate
                wait = due - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                elif wait < -1.0:
                    late[0] += 1
                path, headers = SOAK_MIX[index % len(SOAK_MIX)]
                if headers == "etag":
                    headers = {"If-None-Match": etag} if etag else {}
                began = time.monotonic()
                try:
                    connection.request("GET", path, headers=headers)
                    response = connection.getresponse()
                    response.read()
                    status = response.status
                    if path == "/" and not headers and response.getheader("ETag"):
                        etag = response.getheader("ETag")
                except (OSError, http.client.HTTPException) as error:
                    connection.close()
                    connection = http.client.HTTPConnection(HOST, port, timeout=10)
                    with record:
                        errors.append(f"{path}: {type(error).__name__}: {error}")
                    continue
                elapsed = time.monotonic() - began
                with record:
                    latencies.append(elapsed)
                    statuses[status] = statuses.get(status, 0) + 1
                    if status not in (200, 304):
                        errors.append(f"{path}: HTTP {status}")
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    took = time.monotonic() - start
    latencies.sort()
    done = len(latencies)
    return {
        "seconds": round(took, 1),
        "planned": total,
        "completed": done,
        "achieved_rate": round(done / took, 1) if took else 0,
        "statuses": statuses,
        "errors": len(errors),
        "first_errors": errors[:5],
        "late_by_over_1s": late[0],
        "p50_ms": round(latencies[done // 2] * 1000, 2) if done else None,
        "p99_ms": round(latencies[min(done - 1, int(done * 0.99))] * 1000, 2) if done else None,
        "max_ms": round(latencies[-1] * 1000, 2) if done else None,
    }
