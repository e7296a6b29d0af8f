"""What `bench/run` measures, and its options (`bench/run --help` prints this)."""

from __future__ import annotations

import argparse
from pathlib import Path

DESCRIPTION = """\
Benchmarks for the dashboard, in one run, on 127.0.0.1 only.

Sets up throw-away instances (SQLite in a temporary folder, `dashboard load --demo`), starts the
servers it needs on free ports, measures side by side with wrk (each measurement RUNS times,
interleaved A,B,A,B,…, medians reported) and prints one table. Every server it starts is
stopped on exit, Ctrl-C and errors included.

    1  /  (demo data) under `dashboard serve`, against a Flask hello-world of the same bytes
       under gunicorn with 2 sync workers                                      goal >= 1.5x
       and under the same granian configuration as `dashboard serve`           goal >= 0.9x
    2  the live fragment (HX-Request: true) and the 304 revalidation, against the same
    3  nginx with proxy_cache (what `dashboard nginx-config` prints) against nginx serving the
       same bytes as a static file                                             goal >= 0.8x
       also: 13 viewers with different Accept-Language or cookies in one minute, and 64
       fragment requests at once 100 ms after a minute boundary (stale copies?)
    4  /statements, a deep /statements?before=…, /api/v1/snapshot and /api/v1/statements
       (first and deep page): p99 with 100 and with 100,000 statements, plus the
       first-request-of-a-minute render time in-process                        goal <= 1.2x
    5  feed ingestion: an RSS 2.0 feed of 10,000 items from a local http.server, polled the way
       `dashboard fetch-feeds` polls (poll_feeds) into a fresh instance; then the same feed
       again (all duplicates) and once more conditionally (304)               goal <= 10 s
    6  --idle-page: what one open page costs per minute (Chromium, behind nginx)
                                                                goal <= 1 request, <= 1.5 KB
       also (--boundary-pages N, 8): N Chromium pages opened behind nginx during one minute,
       then across three boundaries: when each one shows the new minute (within 100 ms?),
       and every request the pages made (nginx's log), per boundary and per second
    7  --soak MINUTES: fixed-rate mixed load; errors and worker memory growth
                                                                  goal 0 errors, <= 10% RSS
    8  search (bench/search.py): a rare and a common word, p50 and p99 in-process, with 1,000
       and 100,000 statements, against the archive's first page     goal rare <= 1.5x of
       itself at 1,000; common <= 3x of the archive at 100,000 (--search-sizes, --search-samples)
    9  prefetch (bench/prefetch.py): simulated browsers against `dashboard serve`, each on a new
       connection, in real minutes (--prefetch-minutes, 8). Ahead: N clients ask for the next
       minute's block (/live/<minute>) at random moments of :05-:45 and pass when all have it
       before the boundary. At the boundary: N clients ask for the live fragment (HX-Request) at
       :00.1 and pass when all have it within 1 s. N doubles, then is bisected, on each side:
       the largest N that passed ahead against the largest at the boundary      goal >= 20x

For every wrk run against a web server it also notes how its two workers shared the CPU: when one
worker held all of wrk's keep-alive connections, the run is marked (1w) (it measures one worker,
at well under half the throughput), and ratios are given over all runs and over the runs where
both workers served; the goal verdicts use the latter.

Part 1 needs gunicorn in this Python (pip install -e '.[bench]').
Needs Debian's `wrk` (parts 1-4) and `nginx` (3 and 6): apt-get install -y wrk nginx;
--idle-page also needs `chromium`, `npm` and the Python package `playwright`. Run it from the
checkout (bench/run, or python -m bench from its root): it uses the tests' helpers.
"""
PARTS = (
    "page",
    "nginx",
    "archive",
    "feeds",
    "search",
    "prefetch",
)  # `--only none` runs just the options


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/run",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--duration", type=float, default=5, help="seconds per wrk run (5)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="interleaved runs per measurement; instances for 5 (3)",
    )
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (32)")
    parser.add_argument(
        "--only",
        type=lambda s: set(s.split(",")),
        help=f"comma-separated subset of {', '.join(PARTS)}, or none (only --idle-page, --soak)",
    )
    parser.add_argument("--idle-page", action="store_true", help="run measurement 6 (slow)")
    parser.add_argument("--idle-minutes", type=int, default=3, help="idle page minutes (3)")
    parser.add_argument(
        "--boundary-pages", type=int, default=8, help="pages open across a boundary (8)"
    )
    parser.add_argument("--soak", type=float, metavar="MINUTES", help="run the soak (7)")
    parser.add_argument("--soak-rate", type=int, default=300, help="soak requests/s (300)")
    parser.add_argument(
        "--search-sizes",
        type=lambda text: tuple(int(part) for part in text.split(",")),
        default=(1000, 100_000),
        help="the two store sizes of part 8 (1000,100000)",
    )
    parser.add_argument(
        "--search-samples", type=int, default=200, help="requests per figure in part 8 (200)"
    )
    parser.add_argument(
        "--prefetch-minutes",
        type=int,
        default=8,
        help="real minutes part 9 may use for its trials (8)",
    )
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    if args.only == {"none"}:
        args.only = set()
    elif args.only is not None and not args.only <= set(PARTS):
        parser.error(f"--only takes some of {', '.join(PARTS)}, or none")
    return args
