"""What counting a request costs: bench/hello_app.py's page through Flask's test client, with
and without dashboard/web/metrics.py's hooks, in one process (a registry in memory) and as
under `dashboard serve` (PROMETHEUS_MULTIPROC_DIR: values in shared files).

    python -m bench.metrics_overhead [--requests 20000]

Prints the microseconds per request of each (the fastest of 15 rounds) and the difference,
then what the two hooks alone and observe_request() cost (the fastest of 9 x 10,000 calls):
on a busy machine the difference of whole requests drowns in noise, the hooks' own cost does
not. Each mode runs in a fresh interpreter: prometheus_client picks its mode at import."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import timeit

ROUNDS = 15


def measure(requests: int) -> dict[str, float]:
    from bench.hello_app import create_app
    from dashboard.web import metrics

    plain, counted = create_app(), create_app()
    metrics.count_requests(counted)
    clients = {"plain": plain.test_client(), "counted": counted.test_client()}
    per_request: dict[str, list[float]] = {name: [] for name in clients}
    for _ in range(ROUNDS):  # alternated, so that a busy moment hits both alike
        for name, client in clients.items():
            started = time.perf_counter()
            for _ in range(requests // ROUNDS):
                client.get("/")
            per_request[name].append((time.perf_counter() - started) / (requests // ROUNDS))
    # The fastest round of each: on a shared machine the others measure the neighbours.
    found = {name: min(times) * 1e6 for name, times in per_request.items()}
    calls = timeit.repeat(lambda: metrics.observe_request("/", 200, 0.001), number=10000, repeat=9)
    found["observe_request"] = min(calls) / 10000 * 1e6
    # The two hooks themselves, in a request to the page: what the counted app adds.
    with counted.test_request_context("/"):
        from flask import request

        request.url_rule = counted.url_map.bind("localhost").match("/", return_rule=True)[0]
        response = counted.response_class(b"hello")

        def hooks():
            metrics._start()
            metrics._finish(response)

        calls = timeit.repeat(hooks, number=10000, repeat=9)
    found["hooks"] = min(calls) / 10000 * 1e6
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=15000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.requests)))
        return
    for mode in ("one process", "multiprocess"):
        env = {key: value for key, value in os.environ.items() if "MULTIPROC" not in key.upper()}
        with tempfile.TemporaryDirectory() as shared:
            if mode == "multiprocess":
                env["PROMETHEUS_MULTIPROC_DIR"] = shared
            command = [sys.executable, "-m", "bench.metrics_overhead", "--child"]
            done = subprocess.run(
                [*command, "--requests", str(args.requests)],
                env=env, capture_output=True, text=True, check=True,
            )  # fmt: skip
        result = json.loads(done.stdout)
        extra = result["counted"] - result["plain"]
        print(
            f"{mode:>12}: {result['plain']:.1f} µs a request without, "
            f"{result['counted']:.1f} µs with: +{extra:.1f} µs ({extra / result['plain']:.1%}); "
            f"the hooks alone {result['hooks']:.2f} µs, observe_request() "
            f"{result['observe_request']:.2f} µs"
        )


if __name__ == "__main__":
    main()
