"""The directory where `dashboard serve`'s children write their metrics
(PROMETHEUS_MULTIPROC_DIR): made empty at start, rid of dead processes' live gauges while
running, removed at exit. prometheus_client must find it empty before the first child starts,
else the previous run's counts would be added to this one's."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import tempfile
from pathlib import Path

from prometheus_client import multiprocess

log = logging.getLogger(__name__)

ENVIRONMENT_KEY = "PROMETHEUS_MULTIPROC_DIR"
SWEEP_SECONDS = 2.0  # how often `dashboard serve` looks for dead processes' files: a few stats
# gauge_livesum_1234.db and the like: a live gauge's values, one file per process.
LIVE_GAUGE_FILE = re.compile(r"gauge_live[a-z]+_(\d+)\.db")


def fresh_directory(instance_path: str, port: int) -> Path:
    """<instance>/metrics/<port>, emptied: one per port, so that the next start on the port
    clears what a killed run left. A temporary directory when the instance is read-only."""
    wanted = Path(instance_path) / "metrics" / str(port)
    try:
        if wanted.exists():
            shutil.rmtree(wanted)
        wanted.mkdir(parents=True)
        return wanted
    except OSError as error:
        log.warning("cannot use %s for metrics (%s); using a temporary directory", wanted, error)
        return Path(tempfile.mkdtemp(prefix="dashboard-metrics-"))


def remove_directory(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def process_gone(pid: int, path: Path) -> None:
    """A process of ours exited: its live gauges no longer count (its counters still do)."""
    multiprocess.mark_process_dead(pid, str(path))


def sweep(path: Path) -> list[int]:
    """Live gauges of processes that no longer run (a web worker granian replaced, whose pid
    only granian knew): forgotten. Returns their pids."""
    gone = set()
    with contextlib.suppress(OSError):
        for entry in os.scandir(path):
            found = LIVE_GAUGE_FILE.fullmatch(entry.name)
            if found and not _running(int(found.group(1))):
                gone.add(int(found.group(1)))
    for pid in sorted(gone):
        process_gone(pid, path)
    return sorted(gone)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
