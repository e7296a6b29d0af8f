"""`bench/run`: check what the chosen parts need, run them, stop everything, print the report.

Only the standard library is imported before the check, so that a Python without the project
gets a message saying what to install rather than a traceback."""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

from bench.options import parse_args

WRK_PARTS = {"page", "nginx", "archive"}


def find_program(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for folder in ("/usr/sbin", "/usr/bin", "/sbin"):
        candidate = Path(folder) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def _importable(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def problems(args: argparse.Namespace) -> tuple[list[str], dict[str, str]]:
    """What this run lacks, and the programs it found."""
    wanted = WRK_PARTS if args.only is None else args.only
    needed = []
    if wanted & WRK_PARTS:
        needed.append("wrk")
    if "nginx" in wanted or args.idle_page:
        needed.append("nginx")
    found, missing = {}, []
    for name in needed:
        path = find_program(name)
        if path is None:
            missing.append(f"`{name}` is not installed: apt-get install -y {name}")
        else:
            found[name] = path
    for module, hint in (
        ("dashboard", "install the project into this Python: pip install -e '.[test]'"),
        ("granian", "pip install granian (a dependency of the project)"),
        ("flask", "pip install flask"),
    ):
        if not _importable(module):
            missing.append(f"Python module `{module}` is missing from {sys.executable}: {hint}")
    if "page" in wanted and not _importable("gunicorn"):
        missing.append(
            f"Python module `gunicorn` is missing from {sys.executable} (part 1's yardstick): "
            "pip install -e '.[bench]'"
        )
    if not _importable("tests.helpers"):
        missing.append("run it from the checkout: bench/run, or python -m bench in its root")
    if args.idle_page and not missing:
        from dashboard import config
        from tests.helpers.chromium import chromium_problem
        from tests.helpers.htmx import HTMX_PACKAGE, tarball_path

        if not _importable("playwright"):
            missing.append(
                "--idle-page needs the Python package playwright (pip install playwright)"
            )
        if problem := chromium_problem():
            missing.append(f"--idle-page: {problem}")
        cached = tarball_path(HTMX_PACKAGE, config.HTMX_VERSION).is_file()
        if find_program("npm") is None and not cached:
            missing.append("--idle-page needs npm to fetch htmx: apt-get install -y npm")
    return missing, found


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    missing, tools = problems(args)
    if missing:
        print("bench: cannot run the benchmark:\n  - " + "\n  - ".join(missing), file=sys.stderr)
        return 2
    from bench.common import BenchError, log
    from bench.measure import Bench
    from bench.report import jsonable, report
    from tests.helpers import SetupError

    def terminate(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGHUP, terminate)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with it ignored
    tmp = Path(tempfile.mkdtemp(prefix="dashboard-bench-"))
    os.chmod(tmp, 0o755)
    bench = Bench(args, tools, tmp)
    log(f"temporary folder {tmp}")
    try:
        if bench.want("page"):
            bench.page_and_fragment()
        if bench.want("nginx"):
            bench.behind_nginx()
        if bench.want("archive"):
            bench.archive()
        if bench.want("feeds"):
            bench.feed_ingestion()
        if bench.want("search"):
            bench.search()
        if bench.want("prefetch"):
            bench.prefetch()
        if args.idle_page:
            bench.idle_page()
        if args.soak:
            bench.soak()
    except (BenchError, SetupError) as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        return 130
    finally:
        log("stopping servers")
        bench.stack.close()
        bench.procs.stop_all()
        if args.keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print(report(bench, started))
    if args.json:
        args.json.write_text(json.dumps(jsonable(bench), indent=2, default=str))
    return 0
