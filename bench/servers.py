"""Throw-away instances (SQLite in the run's folder, the demo loaded), `dashboard serve` on
them, and the hello-world yardsticks: in the same granian configuration, and under gunicorn
with 2 sync workers (the usual way to serve a Flask app)."""

from __future__ import annotations

import dataclasses
import os
import subprocess
from pathlib import Path

from bench.common import PY, ROOT, BenchError, wait_for_http
from bench.procs import Processes
from dashboard.cli.serve import web_command
from tests.helpers.servers import HOST, free_port


@dataclasses.dataclass
class Instance:
    name: str
    folder: Path
    env: dict[str, str]

    @property
    def database_url(self) -> str:
        return self.env["DATABASE_URL"]


def make_instance(tmp: Path, name: str, base_env: dict[str, str]) -> Instance:
    folder = tmp / name
    (folder / "instance").mkdir(parents=True)
    env = {
        **base_env,
        "DATABASE_URL": f"sqlite:///{folder / 'dashboard.sqlite3'}",
        "INSTANCE_PATH": str(folder / "instance"),
    }
    result = subprocess.run(
        [PY, "-m", "dashboard", "load", "--demo"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=str(folder),
    )
    if result.returncode != 0:
        raise BenchError(f"`dashboard load --demo` failed for {name}:\n{result.stderr}")
    return Instance(name, folder, env)


@dataclasses.dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen
    log_path: Path

    def url(self, path: str = "/") -> str:
        return f"http://{HOST}:{self.port}{path}"


def start_dashboard(procs: Processes, instance: Instance) -> Server:
    """`dashboard serve`: granian (2 workers x 8 threads) plus the scheduler."""
    port = free_port()
    log_path = instance.folder / "serve.log"
    argv = [PY, "-m", "dashboard", "serve", "--host", HOST, "--port", str(port)]
    process = procs.start(f"dashboard {instance.name}", argv, log_path, instance.env)
    wait_for_http(port, "/", process, log_path)
    return Server(f"dashboard {instance.name}", port, process, log_path)


def hello_argv(port: int) -> list[str]:
    """The command line `dashboard serve` runs (dashboard/cli/serve.py), for the hello-world."""
    return web_command("bench.hello_app:create_app", HOST, port, workers=2, threads=8)


def gunicorn_hello_argv(port: int) -> list[str]:
    """The same hello-world under gunicorn, 2 sync workers: Flask as it is most often served.
    No control socket: every gunicorn master would otherwise share ~/.gunicorn/gunicorn.ctl."""
    return [
        PY, "-m", "gunicorn", "--workers", "2", "--worker-class", "sync",
        "--bind", f"{HOST}:{port}", "--no-control-socket", "--log-level", "warning",
        "bench.hello_app:create_app()",
    ]  # fmt: skip


def start_hello(
    procs: Processes, tmp: Path, page_bytes: int, fragment_bytes: int, server: str = "granian"
) -> Server:
    """The hello-world, under granian as `dashboard serve` runs (server="granian") or under
    gunicorn (server="gunicorn")."""
    port = free_port()
    folder = tmp / f"hello-{server}"
    folder.mkdir(exist_ok=True)
    log_path = folder / "web.log"
    env = {
        **os.environ,
        "HELLO_PAGE_BYTES": str(page_bytes),
        "HELLO_FRAGMENT_BYTES": str(fragment_bytes),
        "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
    }
    argv = hello_argv(port) if server == "granian" else gunicorn_hello_argv(port)
    name = f"hello ({server})"
    process = procs.start(name, argv, log_path, env)
    wait_for_http(port, "/", process, log_path)
    return Server(name, port, process, log_path)
