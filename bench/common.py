"""What every part of the benchmark uses: logging, its one error, finding programs, one
request, and waiting for a server."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from tests.helpers.servers import get

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PY = sys.executable


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


class BenchError(RuntimeError):
    pass


def fetch(port: int, path: str, headers: dict | None = None, timeout: float = 10):
    """(status, headers (case-insensitive), body) of one GET on 127.0.0.1:port."""
    return get(port, path, headers, timeout=timeout)


def wait_for_http(
    port: int, path: str, process: subprocess.Popen, log_path: Path, timeout: float = 60
) -> None:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(
                f"server on port {port} exited with {process.returncode}; its log "
                f"{log_path}:\n{tail(log_path)}"
            )
        try:
            status, _headers, _body = fetch(port, path)
            if status == 200:
                return
            last = f"status {status}"
        except OSError as error:
            last = str(error)
        time.sleep(0.2)
    raise BenchError(
        f"server on port {port} not ready after {timeout}s ({last}):\n{tail(log_path)}"
    )


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def count_lines(path: Path, needle: str) -> int:
    try:
        with open(path, errors="replace") as handle:
            return sum(1 for line in handle if needle in line)
    except OSError:
        return 0
