"""The processes a run starts, and what /proc says about them: their children, CPU time and
memory."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

from dashboard.cli.supervisor import group_alive
from tests.helpers.serving import descendants


class Processes:
    """Every process this run starts, each in a session of its own so that stopping it also
    stops its children (granian and its workers, the scheduler)."""

    def __init__(self) -> None:
        self.running: list[tuple[str, subprocess.Popen]] = []

    def start(
        self,
        name: str,
        argv: list[str],
        log_path: Path,
        env: dict | None = None,
        stdin: int = subprocess.DEVNULL,
    ) -> subprocess.Popen:
        """Start `argv` with its output in `log_path`; stdin=subprocess.PIPE to write to it."""
        with open(log_path, "ab") as out:
            process = subprocess.Popen(
                argv,
                env=env,
                stdin=stdin,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                cwd=str(log_path.parent),
            )
        self.running.append((name, process))
        return process

    def stop(self, process: subprocess.Popen, timeout: float = 20) -> None:
        if process.stdin is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        # children left behind by a leader that already exited
        deadline = time.monotonic() + 5
        while group_alive(process.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if group_alive(process.pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        self.running = [(n, p) for n, p in self.running if p is not process]

    def stop_all(self) -> None:
        for _name, process in reversed(list(self.running)):
            self.stop(process)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_processes(root: int) -> dict[str, list[int]]:
    """granian's main process, its workers and the scheduler, below `dashboard serve` (or a
    granian or gunicorn started directly: then root is the main process)."""
    found = descendants(root)
    try:
        root_cmd = Path(f"/proc/{root}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        root_cmd = ""
    main = [root] if "granian" in root_cmd or "gunicorn" in root_cmd else []
    main += [p for p, (pp, c) in found.items() if "granian" in c and pp == root]
    workers = [p for p, (pp, _c) in found.items() if pp in main]
    scheduler = [p for p, (pp, c) in found.items() if pp == root and " scheduler" in c]
    return {"main": main, "workers": sorted(workers), "scheduler": scheduler}


def worker_pids(root: int) -> list[int]:
    """The web workers below a server's process (granian itself, or `dashboard serve`)."""
    return server_processes(root)["workers"]


def rss_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None
