"""`dashboard serve` as the system tests run it: on a free port of 127.0.0.1, on the test's own
database, in a session of its own; its processes read from /proc; everything it started is
gone after the test, even when the test killed the supervisor itself."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import sqlalchemy as sa

from dashboard.content import models
from tests.helpers.servers import free_port, get, wait_for_port

DASHBOARD = [sys.executable, "-m", "dashboard"]
SECRET = "s" * 64


def process_table() -> dict[int, tuple[int, int, str]]:
    """pid -> (parent pid, session id, command line) of every process."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] == "Z":  # a zombie has exited; only its parent has yet to read its status
            continue
        table[int(entry)] = (int(fields[1]), int(fields[3]), cmdline.strip())
    return table


def descendants(root: int) -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, command line) for every process below `root`."""
    table = process_table()
    found: dict[int, tuple[int, str]] = {}
    frontier = [root]
    while frontier:
        parent = frontier.pop()
        for pid, (ppid, _sid, cmd) in table.items():
            if ppid == parent and pid not in found:
                found[pid] = (ppid, cmd)
                frontier.append(pid)
    return found


@dataclasses.dataclass(frozen=True)
class ServeProcesses:
    web: list[int]  # the web server's main process (granian's; two while one replaces another)
    workers: list[int]  # granian's workers, below web
    scheduler: list[int]


@dataclasses.dataclass
class Serve:
    process: subprocess.Popen
    port: int
    env: dict[str, str]
    log_path: Path

    def processes(self) -> ServeProcesses:
        below = descendants(self.process.pid)
        children = {pid: cmd for pid, (ppid, cmd) in below.items() if ppid == self.process.pid}
        scheduler = sorted(pid for pid, cmd in children.items() if " scheduler" in cmd)
        web = sorted(pid for pid in children if pid not in scheduler)
        workers = sorted(pid for pid, (ppid, _cmd) in below.items() if ppid in web)
        return ServeProcesses(web, workers, scheduler)

    def left_behind(self) -> list[int]:
        """Every process still in the session `dashboard serve` started, itself included."""
        sid = self.process.pid
        return sorted(pid for pid, (_pp, s, _cmd) in process_table().items() if s == sid)

    def left_behind_after(self, seconds: float) -> list[int]:
        """Those still there after waiting up to `seconds` for every one to exit."""
        deadline = time.monotonic() + seconds
        while (left := self.left_behind()) and time.monotonic() < deadline:
            time.sleep(0.1)
        return left

    def get(self, path: str = "/", headers: dict | None = None, timeout: float = 5):
        return get(self.port, path, headers, timeout=timeout)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for(self, what: str, predicate: Callable[[], object], seconds: float = 60):
        """The predicate's first truthy value within `seconds`, or a failure naming `what`."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            assert self.process.poll() is None, f"dashboard serve exited:\n{self.log()[-3000:]}"
            time.sleep(0.1)
        raise AssertionError(f"{what}: not within {seconds} s\n{self.log()[-3000:]}")

    def answers(self) -> bool:
        with contextlib.suppress(OSError):
            return self.get("/")[0] == 200
        return False

    def stop(self, timeout: float = 60) -> int:
        """SIGTERM, as systemd and Ctrl-C stop it; its exit code."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)


class Heartbeat:
    """The scheduler's heartbeat row, read from the test's database."""

    def __init__(self, database_url: str):
        self.engine = sa.create_engine(database_url)

    def read(self) -> sa.Row | None:
        with contextlib.suppress(sa.exc.OperationalError), self.engine.connect() as connection:
            row = connection.execute(sa.select(models.SchedulerState)).first()
            return row
        return None

    def holder_pid(self) -> int | None:
        row = self.read()
        return int(row.holder.rsplit(":", 1)[1]) if row else None

    def __enter__(self) -> Heartbeat:
        return self

    def __exit__(self, *exc: object) -> None:
        self.engine.dispose()


def dashboard_env(database_url: str, folder: Path, **settings: str) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": database_url, "INSTANCE_PATH": str(folder / "instance")}
    env.update(SECRET_KEY=SECRET, **settings)
    return env


def run_cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [*DASHBOARD, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, f"dashboard {' '.join(args)}:\n{done.stderr}"
    return done.stdout


@contextlib.contextmanager
def dashboard_serve(
    env: dict[str, str], folder: Path, *args: str, port: int | None = None
) -> Iterator[Serve]:
    """`dashboard serve` on 127.0.0.1, answering `/` when this yields."""
    port = port or free_port()
    log_path = folder / f"serve-{port}-{time.monotonic_ns()}.log"
    with open(log_path, "wb") as out:
        process = subprocess.Popen(
            [*DASHBOARD, "serve", "--host", "127.0.0.1", "--port", str(port), *args],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its session: how the cleanup finds everything it started
        )
    serve = Serve(process, port, env, log_path)
    try:
        wait_for_port(port, process, timeout=60, log=serve.log)
        serve.wait_for("the page answers", serve.answers)
        yield serve
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(40)
        for pid in serve.left_behind():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if process.poll() is None:
            process.wait(10)
