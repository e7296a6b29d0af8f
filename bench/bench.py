"""Benchmarks for the dashboard, in one run, on 127.0.0.1 only.

Sets up throw-away instances (SQLite in a temporary folder, `dashboard load --demo`), starts the
servers it needs on free ports, measures side by side with wrk (each measurement RUNS times,
interleaved A,B,A,B,…, medians reported) and prints one table. Every server it starts is
stopped on exit, Ctrl-C and errors included.

    1  /  (demo data) under `dashboard serve`, against a Flask hello-world of the same size in
       the same gunicorn configuration                                         goal >= 0.9x
    2  the live fragment (HX-Request: true) and the 304 revalidation, against the same
    3  nginx with proxy_cache (the block in docs/deploy.md) against nginx serving the same bytes
       as a static file                                                        goal >= 0.8x
       also: 13 viewers with different Accept-Language or cookies in one minute, and 64
       fragment requests at once 100 ms after a minute boundary (stale copies?)
    4  /statements, a deep /statements?before=…, /api/v1/snapshot (and /api/v1/statements,
       first and deep page, when the server has it): p99 with 100 and with 100,000
       statements, plus the first-request-of-a-minute render time in-process  goal <= 1.2x
    5  feed ingestion: an RSS 2.0 feed of 10,000 items from a local http.server, polled the way
       `dashboard fetch-feeds` polls (feeds.poll_feeds) into a fresh instance; then the same
       feed again (all duplicates) and once more conditionally (304)     goal <= 10 s
    6  --idle-page: what one open page costs per minute (Chromium, behind nginx)
                                                                goal <= 1 request, <= 1.5 KB
       also (--boundary-pages N, 8): N Chromium pages opened behind nginx during one minute,
       then across two boundaries: when each one shows the new minute, and what nginx answered
    7  --soak MINUTES: fixed-rate mixed load; errors and worker memory growth
                                                                  goal 0 errors, <= 10% RSS

For every wrk run against gunicorn it also notes how the two workers shared the CPU: when one
worker held all of wrk's keep-alive connections, the run is marked (1w) (it measures one worker,
at well under half the throughput), and ratios are given over all runs and over the runs where
both workers served; the goal verdicts use the latter.

Needs Debian's `wrk` and `nginx` (apt-get install -y wrk nginx); --idle-page also needs
`chromium`, `npm` and the Python package `playwright`.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import dataclasses
import datetime as dt
import email.utils
import hashlib
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEPLOY_DOC = ROOT / "docs" / "deploy.md"
CONF_START, CONF_END = "<!-- nginx-conf -->", "<!-- /nginx-conf -->"
PY = sys.executable
HOST = "127.0.0.1"
CHROMIUM = Path(os.environ.get("BENCH_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Accept-Language values as real browsers send them, for the cache-variant probe.
ACCEPT_LANGUAGES = [
    "en-GB,en;q=0.9",
    "en-US,en;q=0.9",
    "en-US,en;q=0.9,ru;q=0.8",
    "en",
    "ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7",
    "ru,en;q=0.9",
    "de-DE,de;q=0.9,en;q=0.8",
    "fr-FR,fr;q=0.9,en-US;q=0.8,en;q=0.7",
    "en-GB,en-US;q=0.9,en;q=0.8",
    "uk-UA,uk;q=0.9,ru;q=0.8,en;q=0.7",
]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


class BenchError(RuntimeError):
    pass


# -- prerequisites ----------------------------------------------------------------------------
def find_program(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for folder in ("/usr/sbin", "/usr/bin", "/sbin"):
        candidate = Path(folder) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def preflight(args: argparse.Namespace) -> dict[str, str]:
    problems = []
    tools = {}
    for name in ("wrk", "nginx"):
        path = find_program(name)
        if path is None:
            problems.append(f"`{name}` is not installed: apt-get install -y {name}")
        else:
            tools[name] = path
    for module, hint in (
        ("dashboard", "install the project into this Python: pip install -e ."),
        ("gunicorn", "pip install gunicorn (a dependency of the project)"),
        ("flask", "pip install flask"),
    ):
        if not _importable(module):
            problems.append(f"Python module `{module}` is missing from {PY}: {hint}")
    if args.idle_page:
        if not _importable("playwright"):
            problems.append(
                "--idle-page needs the Python package playwright (pip install playwright)"
            )
        if not CHROMIUM.is_file():
            problems.append(
                f"--idle-page needs Chromium at {CHROMIUM}: apt-get install -y chromium"
            )
        if find_program("npm") is None and not _cached_htmx_tarball():
            problems.append("--idle-page needs npm to fetch htmx: apt-get install -y npm")
    if problems:
        raise BenchError("cannot run the benchmark:\n  - " + "\n  - ".join(problems))
    return tools


def _importable(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


# -- processes --------------------------------------------------------------------------------
class Processes:
    """Every process this run starts, each in a session of its own so that stopping it also
    stops its children (gunicorn workers, the scheduler, nginx workers)."""

    def __init__(self) -> None:
        self.running: list[tuple[str, subprocess.Popen]] = []

    def start(
        self, name: str, argv: list[str], log_path: Path, env: dict | None = None
    ) -> subprocess.Popen:
        with open(log_path, "ab") as out:
            process = subprocess.Popen(
                argv,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                cwd=str(log_path.parent),
            )
        self.running.append((name, process))
        return process

    def stop(self, process: subprocess.Popen, timeout: float = 20) -> None:
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
        while _group_alive(process.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _group_alive(process.pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        self.running = [(n, p) for n, p in self.running if p is not process]

    def stop_all(self) -> None:
        for _name, process in reversed(list(self.running)):
            self.stop(process)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def wait_for_http(
    port: int, path: str, process: subprocess.Popen, log_path: Path, timeout: float = 60
) -> None:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(
                f"server on port {port} exited with {process.returncode}; its log "
                f"{log_path}:\n{_tail(log_path)}"
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
        f"server on port {port} not ready after {timeout}s ({last}):\n{_tail(log_path)}"
    )


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def fetch(port: int, path: str, headers: dict | None = None, timeout: float = 10):
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        connection.close()


def descendants(root: int) -> dict[int, tuple[int, str]]:
    """pid -> (ppid, command line) for every process below `root`."""
    table: dict[int, tuple[int, str]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        table[int(entry)] = (ppid, cmdline.strip())
    found: dict[int, tuple[int, str]] = {}
    frontier = [root]
    while frontier:
        parent = frontier.pop()
        for pid, (ppid, cmd) in table.items():
            if ppid == parent and pid not in found:
                found[pid] = (ppid, cmd)
                frontier.append(pid)
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def worker_pids(server: Server) -> list[int]:
    """The gunicorn workers below a server's process (itself gunicorn, or `dashboard serve`)."""
    root = server.process.pid
    found = descendants(root)
    try:
        root_cmd = Path(f"/proc/{root}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        root_cmd = ""
    gunicorn = {pid for pid, (_pp, cmd) in found.items() if "gunicorn" in cmd}
    if "gunicorn" in root_cmd:
        gunicorn.add(root)
    return sorted(pid for pid in gunicorn if pid != root and found[pid][0] in gunicorn)


def rss_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


# -- servers ----------------------------------------------------------------------------------
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
    """`dashboard serve`: gunicorn (gthread, 2 workers x 8 threads) plus the scheduler."""
    port = free_port()
    log_path = instance.folder / "serve.log"
    argv = [PY, "-m", "dashboard", "serve", "--host", HOST, "--port", str(port)]
    process = procs.start(f"dashboard {instance.name}", argv, log_path, instance.env)
    wait_for_http(port, "/", process, log_path)
    return Server(f"dashboard {instance.name}", port, process, log_path)


def gunicorn_argv(port: int, app: str) -> list[str]:
    """The same gunicorn command line as `dashboard serve` (dashboard/cli.py) builds."""
    return [
        PY, "-m", "gunicorn",
        "--bind", f"{HOST}:{port}",
        "--workers", "2", "--threads", "8", "--worker-class", "gthread",
        "--no-control-socket",
        "--access-logfile", "-",
        app,
    ]  # fmt: skip


def start_hello(procs: Processes, tmp: Path, page_bytes: int, fragment_bytes: int) -> Server:
    port = free_port()
    folder = tmp / "hello"
    folder.mkdir(exist_ok=True)
    log_path = folder / "gunicorn.log"
    env = {
        **os.environ,
        "HELLO_PAGE_BYTES": str(page_bytes),
        "HELLO_FRAGMENT_BYTES": str(fragment_bytes),
        "PYTHONPATH": str(HERE) + os.pathsep + os.environ.get("PYTHONPATH", ""),
    }
    process = procs.start("hello", gunicorn_argv(port, "hello_app:create_app()"), log_path, env)
    wait_for_http(port, "/", process, log_path)
    return Server("hello", port, process, log_path)


def deploy_conf_block(doc: Path = DEPLOY_DOC) -> str:
    text = doc.read_text(encoding="utf-8")
    match = re.search(
        re.escape(CONF_START) + r"\s*```nginx\n(.*?)```\s*" + re.escape(CONF_END), text, re.S
    )
    if match is None:
        raise BenchError(f"{doc} has no ```nginx block between {CONF_START} and {CONF_END}")
    return match.group(1)


LOG_FORMAT = (
    "$msec|$server_port|$request_method|$request_uri|$status|$bytes_sent|"
    "$upstream_cache_status|$http_hx_request|$request_length"
)


@dataclasses.dataclass
class Nginx:
    process: subprocess.Popen
    port: int  # the deploy.md server: proxy_cache in front of the dashboard
    static_port: int  # static files: the page bytes, htmx
    folder: Path
    access_log: Path

    def url(self, path: str = "/") -> str:
        return f"http://{HOST}:{self.port}{path}"


def nginx_conf(folder: Path, port: int, static_port: int, upstream: int) -> str:
    block = deploy_conf_block()
    for placeholder, value in {
        "@LISTEN@": f"{HOST}:{port}",
        "@SERVER_NAME@": "localhost",
        "@UPSTREAM@": f"{HOST}:{upstream}",
        "@CACHE_DIR@": str(folder / "cache"),
    }.items():
        block = block.replace(placeholder, value)
    if "@" in re.sub(r"#.*", "", block):
        raise BenchError(f"unfilled placeholder left in the nginx block of {DEPLOY_DOC}")
    user = ""
    if os.geteuid() == 0:  # workers would run as nobody and could not use the temporary folder
        import grp
        import pwd

        user = f"user {pwd.getpwuid(0).pw_name} {grp.getgrgid(0).gr_name};"
    temp = "\n".join(
        f"    {kind}_temp_path {folder / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{user}
worker_processes auto;
error_log {folder / "error.log"} warn;
events {{ worker_connections 4096; }}
http {{
    types {{ text/html html; text/css css; application/javascript js; }}
    default_type application/octet-stream;
    log_format bench '{LOG_FORMAT}';
    access_log {folder / "access.log"} bench buffer=64k flush=1s;
{temp}
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;

# ---- docs/deploy.md ----
{block}
# ---- end of docs/deploy.md ----

    server {{
        listen {HOST}:{static_port};
        root {folder / "static"};
        location = /htmx.min.js {{ add_header Access-Control-Allow-Origin "*"; }}
    }}
}}
"""


def start_nginx(
    procs: Processes, nginx_bin: str, tmp: Path, upstream: int, static_port: int
) -> Nginx:
    folder = tmp / "nginx"
    (folder / "static").mkdir(parents=True, exist_ok=True)
    port = free_port()
    conf = folder / "nginx.conf"
    conf.write_text(nginx_conf(folder, port, static_port, upstream))
    base = [nginx_bin, "-c", str(conf), "-p", str(folder), "-e", str(folder / "error.log")]
    globals_ = f"daemon off; pid {folder / 'nginx.pid'};"
    check = subprocess.run(
        [*base, "-t", "-g", globals_], capture_output=True, text=True, check=False
    )
    if check.returncode != 0:
        raise BenchError(f"nginx rejects {conf}:\n{check.stderr}")
    process = procs.start("nginx", [*base, "-g", globals_], folder / "nginx.out")
    (folder / "static" / "ready.html").write_text("ready\n")
    wait_for_http(static_port, "/ready.html", process, folder / "error.log")
    wait_for_http(port, "/", process, folder / "error.log")
    return Nginx(process, port, static_port, folder, folder / "access.log")


def fire_at(nginx: Nginx, viewers: int, at: float) -> list[tuple[str, str]]:
    """`viewers` fragment requests through nginx at once, at the Unix time `at` (connections
    opened beforehand): (X-Cache-Status, ETag) of each answer."""
    connections = [http.client.HTTPConnection(HOST, nginx.port, timeout=10) for _ in range(viewers)]
    for connection in connections:
        connection.connect()
    barrier = threading.Barrier(viewers + 1)
    results: list[tuple[str, str]] = []
    lock = threading.Lock()

    def viewer(connection: http.client.HTTPConnection) -> None:
        barrier.wait()
        try:
            connection.request("GET", "/", headers={"HX-Request": "true"})
            response = connection.getresponse()
            response.read()
            item = (response.getheader("X-Cache-Status", "?"), response.getheader("ETag", ""))
        except OSError as error:
            item = ("ERROR", str(error))
        with lock:
            results.append(item)

    threads = [threading.Thread(target=viewer, args=(c,)) for c in connections]
    for thread in threads:
        thread.start()
    time.sleep(max(0.0, at - time.time()))
    barrier.wait()
    for thread in threads:
        thread.join(timeout=30)
    for connection in connections:
        connection.close()
    return results


# -- wrk --------------------------------------------------------------------------------------
@dataclasses.dataclass
class Sample:
    rps: float
    p50: float  # ms
    p99: float  # ms
    requests: int
    errors: int  # non-2xx/3xx and socket errors
    # the busiest gunicorn worker's share of the workers' CPU time during the run (None: not a
    # gunicorn target); near 1.0, one worker held every one of wrk's keep-alive connections
    busiest_share: float | None = None

    @property
    def one_worker(self) -> bool:
        return self.busiest_share is not None and self.busiest_share > ONE_WORKER_SHARE


ONE_WORKER_SHARE = 0.9
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def parse_wrk(output: str) -> Sample:
    try:
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
        latency = dict(re.findall(r"^\s+(\d+)%\s+(\S+)\s*$", output, re.M))
        requests = int(re.search(r"(\d+) requests in", output).group(1))
        p50, p99 = _ms(latency["50"]), _ms(latency["99"])
    except (AttributeError, KeyError):
        raise BenchError(f"cannot read wrk's output:\n{output}") from None
    errors = 0
    if found := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        errors += int(found.group(1))
    if found := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    ):
        errors += sum(int(n) for n in found.groups())
    return Sample(rps, p50, p99, requests, errors)


@dataclasses.dataclass
class Target:
    key: str
    label: str
    url: str
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    # called before each run; may wait, and may return fresh headers (e.g. today's ETag)
    prepare: Callable[[], dict[str, str]] | None = None
    # the gunicorn workers behind the URL, to see how wrk's connections were shared out
    workers: list[int] = dataclasses.field(default_factory=list)
    samples: list[Sample] = dataclasses.field(default_factory=list)

    def median(self, field: str) -> float:
        return statistics.median(getattr(s, field) for s in self.samples)

    def both_workers(self) -> list[Sample]:
        return [s for s in self.samples if not s.one_worker]

    def runs_text(self) -> str:
        return ", ".join(f"{s.rps:.0f}" + ("(1w)" if s.one_worker else "") for s in self.samples)

    @property
    def errors(self) -> int:
        return sum(s.errors for s in self.samples)


class Wrk:
    def __init__(self, binary: str, args: argparse.Namespace):
        self.binary = binary
        self.threads = args.threads
        self.connections = args.connections
        self.duration = args.duration

    def run(self, url: str, headers: dict[str, str], duration: float | None = None) -> Sample:
        seconds = duration or self.duration
        argv = [
            self.binary,
            f"-t{self.threads}",
            f"-c{self.connections}",
            f"-d{seconds:g}s",
            "--latency",
        ]
        for name, value in headers.items():
            argv += ["-H", f"{name}: {value}"]
        argv.append(url)
        for attempt in (1, 2):
            result = subprocess.run(
                argv, capture_output=True, text=True, timeout=seconds + 60, check=False
            )
            if result.returncode != 0:
                raise BenchError(f"wrk failed ({result.returncode}): {result.stderr}")
            try:
                return parse_wrk(result.stdout)
            except BenchError:
                if attempt == 2:
                    raise
                log(f"  wrk's output could not be read, running again:\n{result.stdout}")
        raise AssertionError("unreachable")

    def interleaved(self, targets: list[Target], rounds: int) -> None:
        for target in targets:  # warm-up, not recorded
            self.run(target.url, self._headers(target), duration=1)
        for round_number in range(1, rounds + 1):
            for target in targets:
                headers = self._headers(target)
                before = {pid: cpu_seconds(pid) for pid in target.workers}
                sample = self.run(target.url, headers)
                if target.workers:
                    used = [cpu_seconds(pid) - before[pid] for pid in target.workers]
                    if sum(used) > 0.5:
                        sample.busiest_share = round(max(used) / sum(used), 3)
                target.samples.append(sample)
                log(
                    f"  round {round_number}: {target.label:<44} {sample.rps:9.0f} req/s  "
                    f"p50 {sample.p50:6.2f} ms  p99 {sample.p99:7.2f} ms"
                    + (f"  busiest worker {sample.busiest_share:.0%}" if target.workers else "")
                    + (f"  ERRORS {sample.errors}" if sample.errors else "")
                )

    @staticmethod
    def _headers(target: Target) -> dict[str, str]:
        headers = dict(target.headers)
        if target.prepare:
            headers.update(target.prepare())
        return headers


def seconds_into_minute() -> float:
    return time.time() % 60


def wait_for_room(seconds: float) -> None:
    """Wait, if need be, so that `seconds` from now stay within one minute (the ETag and every
    cached copy change at the minute boundary)."""
    if seconds_into_minute() + seconds + 1.0 > 60:
        time.sleep(60 - seconds_into_minute() + 0.5)


# -- the measurements -------------------------------------------------------------------------
@dataclasses.dataclass
class Row:
    group: str
    label: str
    target: Target | None = None
    baseline: Target | None = None
    goal: str = ""
    met: bool | None = None
    ratio: float | None = None
    ratio_of: str = ""  # "req/s" or "p99"
    note: str = ""
    # the same ratio from only the runs in which both gunicorn workers served (see Sample)
    ratio_both: float | None = None


class Bench:
    def __init__(self, args: argparse.Namespace, tools: dict[str, str], tmp: Path):
        self.args = args
        self.tools = tools
        self.tmp = tmp
        self.procs = Processes()
        self.wrk = Wrk(tools["wrk"], args)
        self.rows: list[Row] = []
        self.extra: dict[str, object] = {}
        self.static_port = free_port()  # chosen early: HTMX_URL points at it
        self.base_env = {
            key: value
            for key, value in os.environ.items()
            if key
            not in ("DATABASE_URL", "INSTANCE_PATH", "HTMX_URL", "HTMX_INTEGRITY", "SECRET_KEY")
        }
        from dashboard import settings

        # Every URL in the page points at 127.0.0.1: htmx comes from this run's nginx.
        self.base_env["HTMX_URL"] = f"http://{HOST}:{self.static_port}/htmx.min.js"
        self.base_env["HTMX_INTEGRITY"] = settings.HTMX_SRI
        self.base_env["SECRET_KEY"] = secrets.token_hex(32)  # the web app refuses to start without
        self.demo: Instance | None = None
        self.dashboard: Server | None = None
        self.nginx: Nginx | None = None

    def want(self, part: str) -> bool:
        return self.args.only is None or part in self.args.only

    def ensure_demo(self) -> Server:
        if self.dashboard is None:
            self.demo = make_instance(self.tmp, "demo", self.base_env)
            self.dashboard = start_dashboard(self.procs, self.demo)
            log(f"dashboard (demo data) on {self.dashboard.url()}")
        return self.dashboard

    def ensure_nginx(self) -> Nginx:
        if self.nginx is None:
            dashboard = self.ensure_demo()
            self.nginx = start_nginx(
                self.procs, self.tools["nginx"], self.tmp, dashboard.port, self.static_port
            )
            log(f"nginx: proxy_cache on {self.nginx.url()}, static on :{self.nginx.static_port}")
        return self.nginx

    # 1 and 2
    def page_and_fragment(self) -> None:
        log("1-2: page, fragment and 304 against a hello-world (same gunicorn configuration)")
        dashboard = self.ensure_demo()
        _, _, page = fetch(dashboard.port, "/")
        _, _, fragment = fetch(dashboard.port, "/", {"HX-Request": "true"})
        hello = start_hello(self.procs, self.tmp, len(page), len(fragment))
        app_workers, hello_workers = worker_pids(dashboard), worker_pids(hello)
        self.extra["page_bytes"] = len(page)
        self.extra["fragment_bytes"] = len(fragment)

        def current_etag() -> dict[str, str]:
            wait_for_room(self.args.duration)
            _, headers, _ = fetch(dashboard.port, "/")
            return {"If-None-Match": headers["etag"]}

        hello_page = Target(
            "hello_page", f"hello-world {len(page):,} B", hello.url("/"), workers=hello_workers
        )
        page_t = Target(
            "page", f"/ page ({len(page):,} B, demo data)", dashboard.url("/"), workers=app_workers
        )
        fragment_t = Target(
            "fragment",
            f"/ fragment, HX-Request ({len(fragment):,} B)",
            dashboard.url("/"),
            {"HX-Request": "true"},
            workers=app_workers,
        )
        hello_fragment = Target(
            "hello_fragment",
            f"hello-world {len(fragment):,} B",
            hello.url("/fragment"),
            workers=hello_workers,
        )
        not_modified = Target(
            "304",
            "/ with If-None-Match (304)",
            dashboard.url("/"),
            prepare=current_etag,
            workers=app_workers,
        )
        hello_304 = Target(
            "hello_304",
            "hello-world 304",
            hello.url("/revalidate"),
            {"If-None-Match": '"hello"'},
            workers=hello_workers,
        )
        self.wrk.interleaved(
            [hello_page, page_t, fragment_t, hello_fragment, not_modified, hello_304],
            self.args.rounds,
        )
        self.procs.stop(hello.process)
        self.rows += [
            Row("1", "/ page vs hello-world of the same size", page_t, hello_page, ">= 0.9x"),
            Row("2", "fragment vs the same hello-world", fragment_t, hello_page),
            Row("2", "fragment vs hello-world of the fragment's size", fragment_t, hello_fragment),
            Row("2", "304 vs the same hello-world", not_modified, hello_page),
            Row("2", "304 vs hello-world answering 304", not_modified, hello_304),
        ]
        self.rows.append(Row("", "(hello-world baselines)", hello_page))

    # 3
    def behind_nginx(self) -> None:
        log("3: nginx proxy_cache (docs/deploy.md) against nginx serving the same bytes")
        nginx = self.ensure_nginx()
        _, headers, body = fetch(nginx.port, "/")
        (nginx.folder / "static" / "page.html").write_bytes(body)
        cached = Target("nginx_cached", "nginx proxy_cache: /", nginx.url("/"))
        static = Target(
            "nginx_static",
            f"nginx static file, same {len(body):,} B",
            f"http://{HOST}:{nginx.static_port}/page.html",
        )
        upstream_before = _count_lines(self.dashboard.log_path, '"GET / ')
        self.wrk.interleaved([cached, static], self.args.rounds)
        upstream = _count_lines(self.dashboard.log_path, '"GET / ') - upstream_before
        served = sum(s.requests for s in cached.samples)
        self.rows.append(
            Row(
                "3",
                "nginx proxy_cache vs nginx static",
                cached,
                static,
                ">= 0.8x",
                note=f"{upstream} of {served:,} requests reached the app",
            )
        )
        self.variant_probe(nginx)
        self.boundary_burst(nginx)

    def variant_probe(self, nginx: Nginx) -> None:
        """Ten viewers whose browsers send different Accept-Language headers, within a minute:
        how many requests reach the app?"""
        wait_for_room(5)
        statuses = []
        for value in ACCEPT_LANGUAGES:
            _, headers, _ = fetch(nginx.port, "/", {"Accept-Language": value})
            statuses.append(headers.get("x-cache-status", "?"))
        for number in range(3):
            _, headers, _ = fetch(nginx.port, "/", {"Cookie": f"_analytics=visitor{number}"})
            statuses.append(headers.get("x-cache-status", "?"))
        misses = sum(1 for s in statuses if s in ("MISS", "EXPIRED", "BYPASS"))
        self.extra["variant_probe"] = {"requests": len(statuses), "reached_app": misses}
        log(
            f"  variant probe: {len(ACCEPT_LANGUAGES)} Accept-Language values + 3 cookies -> "
            f"{misses} of {len(statuses)} requests reached the app"
        )

    def boundary_burst(self, nginx: Nginx, viewers: int = 64) -> None:
        """Open pages all ask for the fragment ~100 ms after each minute boundary. Fire that many
        requests at once through nginx and see what they get: fresh, or last minute's copy.
        Those that got last minute's copy ask again 500 ms later, as live.js does since
        d67c715 (curl-style clients run no live.js: this plays its part)."""
        wait_for_room(3)
        _, before, _ = fetch(nginx.port, "/", {"HX-Request": "true"})  # cached till the boundary
        boundary = (int(time.time()) // 60 + 1) * 60
        first = fire_at(nginx, viewers, boundary + 0.1)
        old = [item for item in first if item[1] == before.get("etag")]
        again = fire_at(nginx, len(old), boundary + 0.1 + 0.5) if old else []
        still_old = sum(1 for _s, etag in again if etag == before.get("etag"))
        by_status: dict[str, int] = {}
        for status, _etag in first:
            by_status[status] = by_status.get(status, 0) + 1
        again_status: dict[str, int] = {}
        for status, _etag in again:
            again_status[status] = again_status.get(status, 0) + 1
        upstream = sum(by_status.get(s, 0) for s in ("MISS", "EXPIRED", "REVALIDATED"))
        upstream += sum(again_status.get(s, 0) for s in ("MISS", "EXPIRED", "REVALIDATED"))
        self.extra["boundary_burst"] = {
            "viewers": viewers,
            "statuses": by_status,
            "got_previous_minute": len(old),
            "reasked_statuses": again_status,
            "still_previous_minute": still_old,
            "reached_app": upstream,
        }
        log(
            f"  boundary burst: {viewers} fragment requests at :00.1 -> {by_status}; "
            f"{len(old)} got the previous minute's fragment; asked again at :00.6 -> "
            f"{again_status}, {still_old} still old; {upstream} reached the app in all"
        )

    # 4
    def archive(self) -> None:
        log("4: archive and API with 100 and with 100,000 statements")
        small = make_instance(self.tmp, "s100", self.base_env)
        big = make_instance(self.tmp, "s100k", self.base_env)
        started = time.monotonic()
        for instance, total in ((small, 100), (big, 100_000)):
            add_statements(instance.database_url, total)
        log(f"  statements generated in {time.monotonic() - started:.1f}s")
        cursors = {
            small.name: deep_cursor(small.database_url, 100),
            big.name: deep_cursor(big.database_url, 100_000),
        }
        cold = {small.name: cold_timings(small), big.name: cold_timings(big)}
        servers = {i.name: start_dashboard(self.procs, i) for i in (small, big)}
        paths = {
            "statements": ("/statements", "/statements"),
            "deep": ("/statements?before=<deep page>", "/statements?before={cursor}"),
            "snapshot": ("/api/v1/snapshot", "/api/v1/snapshot"),
        }
        # /api/v1/statements did not exist when this benchmark was written: measured if present.
        status, _, _ = fetch(servers[small.name].port, "/api/v1/statements?limit=20")
        if status == 200:
            paths["api_list"] = ("/api/v1/statements", "/api/v1/statements?limit=20")
            paths["api_deep"] = (
                "/api/v1/statements?before=<deep page>",
                "/api/v1/statements?limit=20&before={cursor}",
            )
            self.extra["api_statements"] = "/api/v1/statements: measured (it exists now)"
        else:
            self.extra["api_statements"] = (
                f"/api/v1/statements does not exist yet (HTTP {status}): not measured"
            )
        targets: dict[tuple[str, str], Target] = {}
        order = []
        for path_key, (label, path) in paths.items():
            for instance, count in ((small, "100"), (big, "100k")):
                server = servers[instance.name]
                url = server.url(path.format(cursor=cursors[instance.name]))
                target = Target(
                    f"{path_key}_{count}", f"{label} ({count})", url, workers=worker_pids(server)
                )
                targets[(path_key, count)] = target
                order.append(target)
        self.wrk.interleaved(order, self.args.rounds)
        for server in servers.values():
            self.procs.stop(server.process)
        for path_key, (label, _path) in paths.items():
            self.rows.append(
                Row(
                    "4",
                    f"{label} p99, 100k vs 100",
                    targets[(path_key, "100k")],
                    targets[(path_key, "100")],
                    "<= 1.2x",
                    ratio_of="p99",
                )
            )
        self.extra["cold"] = cold

    # 5
    def feed_ingestion(self) -> None:
        log(f"5: feed ingestion, {FEED_ITEMS:,} items, {self.args.rounds} fresh instances")
        from dashboard import settings

        folder = self.tmp / "feed"
        folder.mkdir()
        body = feed_xml(FEED_ITEMS)
        cap = int(settings.defaults()["FEED_MAX_BYTES"])
        if len(body) > cap:
            raise BenchError(f"the generated feed is {len(body):,} B, over FEED_MAX_BYTES {cap:,}")
        path = folder / "feed.xml"
        path.write_bytes(body)
        port = free_port()
        log_path = folder / "http.log"
        server = self.procs.start(
            "feed server",
            [PY, "-m", "http.server", "--bind", HOST, "--directory", str(folder), str(port)],
            log_path,
        )
        wait_for_http(port, "/feed.xml", server, log_path)
        url = f"http://{HOST}:{port}/feed.xml"
        runs = []
        try:
            for number in range(self.args.rounds):
                instance = make_instance(self.tmp, f"feeds{number}", self.base_env)
                run = ingest_feed(instance, url, path)
                log(
                    f"  instance {number + 1}: first poll {run['first_s']:.2f} s "
                    f"(CPU {run['first_cpu_s']:.2f} s; {run['first_new']:,} new), "
                    f"again {run['again_s']:.2f} s "
                    f"({run['again_duplicates']:,} already stored), "
                    f"conditional {run['conditional_s'] * 1000:.0f} ms ({run['conditional']})"
                )
                runs.append(run)
            parse_s = parse_timing(url)
        finally:
            self.procs.stop(server)
        self.extra["feeds"] = {
            "items": FEED_ITEMS,
            "feed_bytes": len(body),
            "max_bytes": cap,
            "runs": runs,
            "first_s": statistics.median(r["first_s"] for r in runs),
            "again_s": statistics.median(r["again_s"] for r in runs),
            "conditional_s": statistics.median(r["conditional_s"] for r in runs),
            "download_and_parse_s": parse_s,
        }

    # 6
    def idle_page(self) -> None:
        minutes = self.args.idle_minutes
        log(f"6: one idle open page in Chromium behind nginx, {minutes} min")
        nginx = self.ensure_nginx()
        (nginx.folder / "static" / "htmx.min.js").write_bytes(pinned_htmx())
        result = idle_page(nginx, minutes)
        self.extra["idle_page"] = result
        log(f"6: {self.args.boundary_pages} pages in Chromium behind nginx across two boundaries")
        self.extra["boundary_pages"] = boundary_pages(nginx, self.args.boundary_pages)

    # 7
    def soak(self) -> None:
        minutes = self.args.soak
        log(f"7: soak, {minutes} min at {self.args.soak_rate} req/s (page, fragment, API, …)")
        dashboard = self.ensure_demo()
        self.extra["soak"] = soak(dashboard, minutes, self.args.soak_rate)


def _count_lines(path: Path, needle: str) -> int:
    try:
        with open(path, errors="replace") as handle:
            return sum(1 for line in handle if needle in line)
    except OSError:
        return 0


# -- many statements --------------------------------------------------------------------------
def add_statements(database_url: str, total: int) -> None:
    """Insert generated statements (older than the demo's) up to `total`, then bump the site's
    revision the way a write through the app does, so every process re-reads the content."""
    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    from dashboard import models, store

    engine = sa.create_engine(database_url)
    try:
        with Session(engine) as session, session.begin():
            have = session.scalar(sa.select(sa.func.count()).select_from(models.Statement))
            start = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)
            rows = [
                {
                    "slug": f"bench-{number:06d}",
                    "published": start + dt.timedelta(hours=2 * number),
                    "title": f"Generated statement number {number}",
                    "summary": "A generated statement for the benchmark, with a summary of "
                    "ordinary length so that the archive page has realistic bytes to render.",
                    "body": "",
                    "featured": False,
                    "source_url": "",
                }
                for number in range(total - have)
            ]
            for chunk in range(0, len(rows), 20_000):
                session.execute(sa.insert(models.Statement), rows[chunk : chunk + 20_000])
            store.mark_changed(session)
    finally:
        engine.dispose()


def deep_cursor(database_url: str, total: int) -> str:
    """The `before` cursor that shows the second-to-last page of the archive."""
    import sqlalchemy as sa

    from dashboard import models, public

    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            row = connection.execute(
                sa.select(models.Statement.published, models.Statement.id)
                .order_by(models.Statement.published.desc(), models.Statement.id.desc())
                .offset(total - 40)
                .limit(1)
            ).one()
    finally:
        engine.dispose()
    published = row.published
    if published.tzinfo is None:
        published = published.replace(tzinfo=dt.UTC)
    return public.format_cursor((published, row.id))


def cold_timings(instance: Instance, samples: int = 30) -> dict[str, dict[str, float]]:
    """What the first request of a minute costs in a process, in-process through Flask's test
    client: the cost wrk's p99 hides, since each process renders an archive page once a minute
    and then serves it from memory. A new minute finds the content (read once per content
    revision) still in memory but nothing rendered: the rendered bytes are dropped and the
    content kept. After a write the content is read again too (`invalidate()`): measured for
    the snapshot as `after_write`."""
    import sqlalchemy as sa

    from dashboard import create_app, models, public

    app = create_app(
        {
            "DATABASE_URL": instance.database_url,
            "INSTANCE_PATH": instance.env["INSTANCE_PATH"],
            "SECRET_KEY": instance.env["SECRET_KEY"],
        }
    )
    pages = app.extensions["dashboard.live"]
    client = app.test_client()
    engine = app.extensions["dashboard.store"].engine
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(models.Statement.published, models.Statement.id)
            .order_by(models.Statement.published.asc(), models.Statement.id.asc())
            .limit(samples + 40)
        ).all()
    cursors = [public.format_cursor((r.published, r.id)) for r in rows[40:]]
    timings: dict[str, list[float]] = {
        "statements": [],
        "deep": [],
        "snapshot": [],
        "after_write": [],
    }

    def timed(key: str, path: str) -> None:
        started = time.perf_counter()
        response = client.get(path)
        timings[key].append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)

    client.get("/statements")  # the content, read once
    for index in range(samples):
        with pages._lock:  # a new minute: nothing rendered yet, the content still in memory
            pages._memory.clear()
        timed("statements", "/statements")
        timed("deep", "/statements?before=" + cursors[index])
        timed("snapshot", "/api/v1/snapshot")
        pages.invalidate()  # after a write: the content is read again as well
        timed("after_write", "/api/v1/snapshot")
    engine.dispose()
    return {
        key: {
            "p50_ms": statistics.median(values) * 1000,
            "max_ms": max(values) * 1000,
        }
        for key, values in timings.items()
    }


# -- a feed of 10,000 items -------------------------------------------------------------------
FEED_ITEMS = 10_000
FEED_TOPICS = (
    "the talks", "the budget", "the new rail line", "water prices", "the harvest",
    "school holidays", "the census", "road repairs", "the weather service",
    "public libraries", "the river crossing",
)  # fmt: skip


def feed_xml(items: int) -> bytes:
    """An RSS 2.0 feed, newest first, of items as a ministry's news feed has them: a title, a
    link, a guid, a date and a short HTML description (about 400 bytes an item)."""
    newest = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        "<title>Ministry news (bench)</title><link>http://news.example/</link>"
        "<description>Statements, newest first</description>\n"
    ]
    for number in range(items, 0, -1):
        topic = FEED_TOPICS[number % len(FEED_TOPICS)]
        when = email.utils.format_datetime(newest - dt.timedelta(minutes=7 * (items - number)))
        parts.append(
            f"<item><title>Statement {number} on {topic}</title>"
            f"<link>http://news.example/statements/{number}</link>"
            f'<guid isPermaLink="false">news.example/{number}</guid><pubDate>{when}</pubDate>'
            f"<description>&lt;p&gt;The ministry said today that work on {topic} goes on as "
            f"planned. A fuller statement, number {number}, follows; questions to the press "
            "office as usual.&lt;/p&gt;</description></item>\n"
        )
    parts.append("</channel></rss>\n")
    return "".join(parts).encode("utf-8")


def ingest_feed(instance: Instance, url: str, path: Path) -> dict:
    """Run feed_poll_worker in a process of its own (as `dashboard fetch-feeds` runs), with
    the instance's environment; it answers with a line of JSON."""
    env = {
        **instance.env,
        "PYTHONPATH": str(HERE) + os.pathsep + os.environ.get("PYTHONPATH", ""),
    }
    code = "import json, sys, bench; print(json.dumps(bench.feed_poll_worker(*sys.argv[1:])))"
    result = subprocess.run(
        [PY, "-c", code, url, str(path)],
        env=env,
        cwd=str(instance.folder),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode != 0:
        raise BenchError(f"feed ingestion failed in {instance.name}:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def feed_poll_worker(url: str, path: str) -> dict:
    """In a fresh instance (DATABASE_URL etc. in the environment): add the feed as the admin
    does (feeds.save_feed) and poll it with feeds.poll_feeds(only_due=False), the function
    `dashboard fetch-feeds` calls; then poll it again after the publisher wrote the same items
    out again (a newer Last-Modified: all duplicates), and once more with nothing changed (a
    conditional GET answered 304)."""
    import sqlalchemy as sa

    from dashboard import create_app, feeds, models

    app = create_app()
    feed_file = Path(path)
    engine = app.extensions["dashboard.store"].engine
    statements = [0]

    @sa.event.listens_for(engine, "before_cursor_execute")
    def count(*_args) -> None:
        statements[0] += 1

    with app.test_request_context():
        feeds.save_feed({"url": url, "interval_minutes": 30, "language": "en", "publish": True})

    cpu = [0.0]

    def poll() -> tuple[float, feeds.PollReport, int]:
        before = statements[0]
        started, started_cpu = time.perf_counter(), time.process_time()
        reports = feeds.poll_feeds(app, only_due=False)
        took = time.perf_counter() - started
        cpu[0] = time.process_time() - started_cpu
        if len(reports) != 1 or reports[0].error:
            raise BenchError(f"the feed poll failed: {[r.line() for r in reports]}")
        return took, reports[0], statements[0] - before

    first_s, first, first_sql = poll()
    first_cpu_s = cpu[0]
    with engine.connect() as connection:
        stored = connection.scalar(sa.select(sa.func.count()).select_from(models.FeedItem))
    if first.new != FEED_ITEMS or stored != FEED_ITEMS:
        raise BenchError(f"the first poll stored {stored} items: {first.line()}")
    mtime = feed_file.stat().st_mtime + 2  # the publisher wrote the same items out again
    os.utime(feed_file, (mtime, mtime))
    again_s, again, again_sql = poll()
    if again.new or again.duplicates != FEED_ITEMS:
        raise BenchError(f"the second poll was not all duplicates: {again.line()}")
    conditional_s, conditional, _ = poll()
    engine.dispose()
    return {
        "first_s": first_s,
        "first_cpu_s": first_cpu_s,
        "first_new": first.new,
        "first_sql_statements": first_sql,
        "again_s": again_s,
        "again_duplicates": again.duplicates,
        "again_sql_statements": again_sql,
        "conditional_s": conditional_s,
        "conditional": "not modified" if conditional.not_modified else conditional.line(),
    }


def parse_timing(url: str) -> float:
    """Download and parse alone (no database), as poll_feed does them: the floor of a poll."""
    from dashboard import feeds, settings

    config = settings.defaults()
    started = time.perf_counter()
    got = feeds.download(url, None, None, config)
    feeds.parse(got.body, got.content_type, got.url)
    return time.perf_counter() - started


# -- htmx and Chromium ------------------------------------------------------------------------
def _cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "dashboard-bench"


def _cached_htmx_tarball() -> Path | None:
    from dashboard import settings

    name = f"htmx.org-{settings.HTMX_VERSION}.tgz"
    for folder in (_cache_dir(), _cache_dir().parent / "dashboard-tests"):
        if (folder / name).is_file():
            return folder / name
    return None


def pinned_htmx() -> bytes:
    from dashboard import settings

    tarball = _cached_htmx_tarball()
    if tarball is None:
        _cache_dir().mkdir(parents=True, exist_ok=True)
        spec = f"htmx.org@{settings.HTMX_VERSION}"
        result = subprocess.run(
            [find_program("npm") or "npm", "pack", spec, "--pack-destination", str(_cache_dir())],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        tarball = _cached_htmx_tarball()
        if result.returncode != 0 or tarball is None:
            raise BenchError(f"`npm pack {spec}` failed:\n{result.stdout}\n{result.stderr}")
    with tarfile.open(tarball, "r:gz") as archive:
        member = archive.extractfile("package/dist/htmx.min.js")
        if member is None:
            raise BenchError(f"{tarball} has no package/dist/htmx.min.js")
        with member:
            data = member.read()
    digest = "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()
    if digest != settings.HTMX_SRI:
        raise BenchError(f"{tarball}: htmx hashes to {digest}, not {settings.HTMX_SRI}")
    return data


def read_access_log(nginx: Nginx) -> list[dict]:
    entries = []
    with contextlib.suppress(OSError), open(nginx.access_log, errors="replace") as handle:
        for line in handle:
            parts = line.rstrip("\n").split("|")
            if len(parts) != 9:
                continue
            entries.append(
                {
                    "at": float(parts[0]),
                    "port": int(parts[1]),
                    "path": parts[3],
                    "status": int(parts[4]),
                    "bytes": int(parts[5]),
                    "cache": parts[6],
                    "hx": parts[7] == "true",
                    "request_bytes": int(parts[8]),
                }
            )
    return entries


# Put in every page before its own scripts: records the minute the (first) clock shows (its
# datetime attribute) each time it changes, the first one included, and when htmx sends a
# request; times are Date.now(), the same clock as time.time() here.
FLIP_SCRIPT = """
(function () {
  window.__shown = []; window.__asks = [];
  var last = null;
  function check() {
    var el = document.querySelector('.clock-time');
    var now = el ? el.getAttribute('datetime') : null;
    if (now === null || now === last) return;
    window.__shown.push([Date.now(), now]);
    last = now;
  }
  document.addEventListener('DOMContentLoaded', function () {
    check();
    new MutationObserver(check).observe(document.body,
      {childList: true, subtree: true, characterData: true, attributes: true});
  });
  document.addEventListener('htmx:beforeRequest', function () { window.__asks.push(Date.now()); });
})();
"""


def shown_changes(shown: list) -> list[dict]:
    """From FLIP_SCRIPT's records: each change of the minute shown, when it came (Unix s), the
    minute it shows (Unix s of its start), and how long after that minute began it came."""
    changes = []
    starts = [dt.datetime.fromisoformat(iso).timestamp() for _at, iso in shown]
    for (at_ms, _iso), before, start in zip(shown[1:], starts, starts[1:], strict=False):
        changes.append(
            {
                "at": at_ms / 1000,
                "shows": start,
                "before": before,
                "late_s": round(at_ms / 1000 - start, 3),
            }
        )
    return changes


def idle_page(nginx: Nginx, minutes: int) -> dict:
    """Open the page in Chromium and leave it for whole minutes, counting from nginx's access log
    what it costs. Most viewers behind a cache get a copy another viewer's request made: so a
    first browser page opens at second ~3 of a minute (and closes), and the measured one opens
    at second ~35 and gets that copy."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            if seconds_into_minute() > 2:
                time.sleep(60 - seconds_into_minute() + 3)
            earlier = browser.new_page()
            earlier.goto(nginx.url("/"), wait_until="load")
            earlier.close()
            time.sleep(max(0.0, 35 - seconds_into_minute()))
            log("  opening the page")
            page = browser.new_page()
            page.add_init_script(FLIP_SCRIPT)
            opened = time.time()
            page.goto(nginx.url("/"), wait_until="load")
            page.wait_for_load_state("networkidle")
            loaded = time.time()
            htmx_ok = page.evaluate("typeof window.htmx === 'object'")
            end = loaded + minutes * 60
            while time.time() < end:
                time.sleep(min(5.0, max(0.0, end - time.time())))
                page.evaluate("1")  # keeps the connection to the browser serviced
            changes = shown_changes(page.evaluate("window.__shown || []"))
            shown = page.text_content(".clock-time") or ""
        finally:
            browser.close()
    time.sleep(1.5)  # the access log is flushed every second
    ours = [
        e
        for e in read_access_log(nginx)
        if e["at"] >= opened - 0.05 and e["port"] in (nginx.port, nginx.static_port)
    ]
    initial = [e for e in ours if e["at"] <= loaded]
    steady = [e for e in ours if loaded < e["at"] <= end + 0.5]
    fragments = [e for e in steady if e["hx"]]
    return {
        "minutes": minutes,
        "boundaries": int(end // 60 - loaded // 60),
        "htmx_loaded": htmx_ok,
        "initial_requests": len(initial),
        "initial_bytes": sum(e["bytes"] for e in initial),
        "initial_paths": [f"{e['path']} {e['status']} {e['cache']}" for e in initial],
        "requests_per_minute": round(len(steady) / minutes, 2),
        "bytes_per_minute": round(sum(e["bytes"] for e in steady) / minutes),
        "request_bytes_per_minute": round(sum(e["request_bytes"] for e in steady) / minutes),
        "steady_requests": [
            f"{time.strftime('%H:%M:%S', time.gmtime(e['at']))}.{int(e['at'] % 1 * 1000):03d} "
            f"{e['path']} hx={e['hx']} {e['status']} {e['bytes']} B {e['cache']}"
            for e in steady
        ],
        # how late each refresh came after the minute boundary it was for
        "seconds_after_boundary": [round(e["at"] % 60, 2) for e in fragments],
        "reached_app": sum(1 for e in steady if e["cache"] in ("MISS", "EXPIRED")),
        # each change of the minute shown: seconds after that minute began (late_s)
        "flips_after_boundary": [c["late_s"] for c in changes],
        "went_back": sum(1 for c in changes if c["shows"] < c["before"]),
        "clock_shown_at_end": shown,
    }


def boundary_pages(nginx: Nginx, count: int) -> dict:
    """`count` viewers (each a browser context of its own: its own cache and cookies) open the
    page behind nginx at seconds spread over one minute, so all but the first get the copy
    nginx made for the first; then all of them cross the next two boundaries together. When
    does each one show the new minute, how many requests does each make, and what did nginx
    answer? At the first boundary nginx's copy of the fragment may be older than a minute (no
    page asked for it during the minute the pages opened); at the second it is a minute old."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            if seconds_into_minute() > 2:
                time.sleep(60 - seconds_into_minute() + 3)
            minute = int(time.time()) // 60 * 60
            boundary = minute + 60
            pages = []
            for number in range(count):
                opening = minute + 3 + number * (50 / max(1, count - 1))  # :03 … :53
                time.sleep(max(0.0, opening - time.time()))
                context = browser.new_context()
                page = context.new_page()
                page.add_init_script(FLIP_SCRIPT)
                opened = time.time()
                page.goto(nginx.url("/"), wait_until="load")
                pages.append((page, opened))
            log(f"  {count} pages open; waiting for two boundaries and a minute")
            second = boundary + 60
            time.sleep(max(0.0, second + 65 - time.time()))
            viewers = []
            for page, opened in pages:
                changes = shown_changes(page.evaluate("window.__shown"))
                asks = page.evaluate("window.__asks")
                viewers.append(
                    {
                        "opened_at_second": round(opened - minute, 1),
                        "visible": page.evaluate("document.visibilityState"),
                        "changes": [
                            f"{c['at'] - boundary:+.3f} s: shows {c['shows'] - boundary:+.0f}"
                            for c in changes
                        ],
                        "asks_after_boundary": [round(t / 1000 - boundary, 3) for t in asks],
                        # when it first showed each boundary's minute (None: not within 10 s)
                        "first": _first_showing(changes, boundary, 10),
                        "second": _first_showing(changes, second, 10),
                        "first_at_all": _first_showing(changes, boundary, None),
                        "second_at_all": _first_showing(changes, second, None),
                        "went_back": sum(1 for c in changes if c["shows"] < c["before"]),
                    }
                )
        finally:
            browser.close()
    time.sleep(1.5)  # the access log is flushed every second
    result: dict = {"pages": count, "viewers": viewers}
    log_entries = read_access_log(nginx)
    for key, instant in (("first", boundary), ("second", second)):
        answers: dict[str, int] = {}
        timeline = []
        for entry in log_entries:
            near = instant - 1 <= entry["at"] <= instant + 10
            if entry["port"] == nginx.port and entry["hx"] and near:
                answers[entry["cache"]] = answers.get(entry["cache"], 0) + 1
                timeline.append(f"{entry['at'] - instant:+.3f} {entry['status']} {entry['cache']}")
        flipped = [v[key] for v in viewers if v[key] is not None]
        result[key] = {
            "boundary": time.strftime("%H:%M:%S", time.gmtime(instant)),
            "flipped_within_10s": len(flipped),
            "flip_median_s": round(statistics.median(flipped), 3) if flipped else None,
            "flip_max_s": round(max(flipped), 3) if flipped else None,
            "requests": sum(
                1
                for v in viewers
                for t in v["asks_after_boundary"]
                if -1 <= t - (instant - boundary) <= 10
            ),
            "nginx_answers": answers,
            "nginx_timeline": timeline,
        }
    return result


def _first_showing(changes: list[dict], boundary: float, within: float | None) -> float | None:
    """Seconds after `boundary` at which the page first showed that minute or a later one
    (None: not within `within` seconds)."""
    for change in changes:
        if change["shows"] >= boundary and (within is None or change["at"] <= boundary + within):
            return round(change["at"] - boundary, 3)
    return None


# -- the soak ---------------------------------------------------------------------------------
SOAK_MIX = (
    [("/", {})] * 8
    + [("/", {"HX-Request": "true"})] * 8
    + [("/api/v1/snapshot", {})] * 2
    + [("/statements", {})]
    + [("/", "etag")]
)


def gunicorn_processes(dashboard: Server) -> dict[str, list[int]]:
    found = descendants(dashboard.process.pid)
    masters = [p for p, (pp, c) in found.items() if "gunicorn" in c and pp == dashboard.process.pid]
    workers = [p for p, (pp, _c) in found.items() if pp in masters]
    scheduler = [p for p, (_pp, c) in found.items() if c.endswith("scheduler")]
    return {"master": masters, "workers": sorted(workers), "scheduler": scheduler}


def soak(dashboard: Server, minutes: float, rate: int) -> dict:
    warmup = 15.0
    log(f"  warm-up {warmup:g}s at the same rate")
    run_load(dashboard.port, rate, warmup)
    processes = gunicorn_processes(dashboard)
    watched = {pid: f"worker {pid}" for pid in processes["workers"]}
    watched.update({pid: f"master {pid}" for pid in processes["master"]})
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


# -- report -----------------------------------------------------------------------------------
def evaluate(row: Row) -> None:
    """The ratio of medians over all runs, and over the runs in which both gunicorn workers
    served (when the targets are gunicorn and each has such runs). The verdict uses the
    latter when there is one: a run where one worker held all of wrk's connections measures
    that worker alone, at well under half the throughput."""
    if row.target is None or row.baseline is None or not row.target.samples:
        return
    field = "p99" if row.ratio_of == "p99" else "rps"
    row.ratio_of = "p99" if field == "p99" else "req/s"
    row.ratio = row.target.median(field) / row.baseline.median(field)
    both_t, both_b = row.target.both_workers(), row.baseline.both_workers()
    gunicorn = bool(row.target.workers or row.baseline.workers)
    row.ratio_both = None
    if gunicorn and both_t and both_b:
        middle = statistics.median
        row.ratio_both = middle(getattr(s, field) for s in both_t) / middle(
            getattr(s, field) for s in both_b
        )
    if row.goal:
        ratio = row.ratio_both if row.ratio_both is not None else row.ratio
        limit = float(row.goal.split()[1].rstrip("x"))
        row.met = ratio <= limit if field == "p99" else ratio >= limit


def targets_of(bench: Bench) -> list[Target]:
    found: dict[str, Target] = {}
    for row in bench.rows:
        for target in (row.baseline, row.target):
            if target is not None:
                found.setdefault(target.key, target)
    return list(found.values())


def report(bench: Bench, started: float) -> str:
    lines = []
    args = bench.args
    lines.append("")
    lines.append(
        f"dashboard benchmark, {time.strftime('%Y-%m-%d %H:%M %Z')}, {platform.node()}: "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}; wrk -t{args.threads} "
        f"-c{args.connections} -d{args.duration:g}s, medians of {args.rounds} interleaved runs"
    )
    lines.append("")
    lines.append(
        f"{'#':<2} {'measured':<46} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}"
    )
    seen = set()
    for row in bench.rows:
        for target in (row.baseline, row.target):
            if target is None or target.key in seen or not target.samples:
                continue
            seen.add(target.key)
            runs = target.runs_text()
            lines.append(
                f"{row.group:<2} {target.label:<46} {target.median('rps'):>9,.0f} "
                f"{target.median('p50'):>8.2f} {target.median('p99'):>8.2f} {target.errors:>6}"
                f"   (runs: {runs})"
            )
    if any(s.one_worker for t in targets_of(bench) for s in t.samples):
        lines.append(
            "   (1w): one gunicorn worker held all of wrk's keep-alive connections in that run "
            f"(over {ONE_WORKER_SHARE:.0%} of the workers' CPU time)"
        )
    lines.append("")
    lines.append(
        f"{'#':<2} {'comparison':<56} {'ratio':>14} {'both workers':>12} {'goal':>9}  result"
    )
    for row in bench.rows:
        if row.baseline is None or row.target is None:
            continue
        evaluate(row)
        verdict = "" if row.met is None else ("met" if row.met else "MISSED")
        both = f"{row.ratio_both:.2f}x" if row.ratio_both is not None else "-"
        lines.append(
            f"{row.group:<2} {row.label:<56} {row.ratio:>8.2f}x {row.ratio_of:<5} {both:>12} "
            f"{row.goal:>9}  {verdict}"
        )
        if row.note:
            lines.append(f"{'':<3}  {row.note}")
    extra = bench.extra
    if "variant_probe" in extra:
        probe = extra["variant_probe"]
        lines.append(
            f"3  viewers with different Accept-Language / cookies, one minute: "
            f"{probe['reached_app']} of {probe['requests']} requests reached the app"
        )
    if "boundary_burst" in extra:
        burst = extra["boundary_burst"]
        lines.append(
            f"3  {burst['viewers']} fragment requests at :00.1 through nginx: {burst['statuses']};"
            f" {burst['got_previous_minute']} got the previous minute"
        )
        lines.append(
            f"   those asked again at :00.6 (as live.js does): {burst['reasked_statuses']}, "
            f"{burst['still_previous_minute']} still the previous minute; "
            f"{burst['reached_app']} requests reached the app in all"
        )
    if "cold" in extra:
        lines.append(
            "4  first request of a minute in a process (query + render; content in memory) and, "
            "after_write, the snapshot after a write (content read again), in-process, "
            "ms p50 / max of 30:"
        )
        small, big = extra["cold"]["s100"], extra["cold"]["s100k"]
        for key in small:
            ratio = big[key]["p50_ms"] / small[key]["p50_ms"]
            lines.append(
                f"     {key:<11} 100: {small[key]['p50_ms']:6.1f} / {small[key]['max_ms']:6.1f}"
                f"   100k: {big[key]['p50_ms']:6.1f} / {big[key]['max_ms']:6.1f}"
                f"   p50 ratio {ratio:5.2f}x  " + ("met" if ratio <= 1.2 else "MISSED")
            )
        lines.append(f"4  {extra['api_statements']}")
    if "feeds" in extra:
        fed = extra["feeds"]
        runs = ", ".join(f"{r['first_s']:.1f}" for r in fed["runs"])
        lines.append(
            f"5  feed of {fed['items']:,} items ({fed['feed_bytes']:,} B; limit "
            f"{fed['max_bytes']:,}): first poll {fed['first_s']:.2f} s (runs: {runs}), "
            f"goal <= 10 s: " + ("met" if fed["first_s"] <= 10 else "MISSED")
        )
        lines.append(
            f"   same items again (all duplicates) {fed['again_s']:.2f} s; unchanged (304) "
            f"{fed['conditional_s'] * 1000:.0f} ms; download + parse alone "
            f"{fed['download_and_parse_s']:.2f} s; SQL statements "
            f"{fed['runs'][0]['first_sql_statements']:,} / "
            f"{fed['runs'][0]['again_sql_statements']:,}"
        )
    else:
        lines.append("5  feed ingestion: not run (--only)")
    if "idle_page" in extra:
        idle = extra["idle_page"]
        ok_requests = idle["requests_per_minute"] <= 1.0
        ok_bytes = idle["bytes_per_minute"] <= 1536
        lines.append(
            f"6  idle page, {idle['minutes']} min ({idle['boundaries']} minute boundaries): "
            f"{idle['requests_per_minute']} requests/min, "
            f"{idle['bytes_per_minute']:,} B/min response (headers + body), "
            f"{idle['request_bytes_per_minute']:,} B/min request; goal <= 1 and <= 1.5 KB: "
            + ("met" if ok_requests and ok_bytes else "MISSED")
        )
        lines.append(
            f"   first load {idle['initial_requests']} requests, {idle['initial_bytes']:,} B; "
            f"refreshes at seconds after the boundary: {idle['seconds_after_boundary']}; "
            f"clock flipped at: {idle['flips_after_boundary']}"
        )
    if "boundary_pages" in extra:
        pages = extra["boundary_pages"]
        lines.append(f"6  {pages['pages']} Chromium pages opened at :03-:53, then two boundaries:")
        for key in ("first", "second"):
            part = pages[key]
            lines.append(
                f"     {part['boundary']}: {part['flipped_within_10s']} of {pages['pages']} "
                f"showed the new minute within 10 s (median {part['flip_median_s']} s, max "
                f"{part['flip_max_s']} s); {part['requests']} requests; nginx answered "
                f"{part['nginx_answers']}"
            )
        back = sum(v["went_back"] for v in pages["viewers"])
        for key in ("first", "second"):
            late = [v[f"{key}_at_all"] for v in pages["viewers"] if v[key] is None]
            if late:
                lines.append(
                    f"     late at the {key} boundary: showed its minute after {late} s "
                    "(None: not by the end)"
                )
        if back:
            lines.append(f"     {back} time(s) a page went back to an older minute")
    else:
        lines.append("6  idle page: not run (--idle-page)")
    if "soak" in extra:
        soak_result = extra["soak"]
        ok = soak_result["errors"] == 0 and (soak_result["workers_rss_growth_pct"] or 0) <= 10
        lines.append(
            f"7  soak {soak_result['seconds']}s at {soak_result['achieved_rate']} req/s: "
            f"{soak_result['completed']:,} requests, {soak_result['errors']} errors, p99 "
            f"{soak_result['p99_ms']} ms, workers' RSS {soak_result['workers_rss_growth_pct']:+}%"
            f"; goal 0 errors, <= 10%: " + ("met" if ok else "MISSED")
        )
        lines.append(
            f"   RSS kB start {soak_result['rss_kb_start']}\n"
            f"   RSS kB end   {soak_result['rss_kb_end']}"
        )
    else:
        lines.append("7  soak: not run (--soak MINUTES)")
    lines.append("")
    lines.append(f"took {time.monotonic() - started:.0f}s")
    return "\n".join(lines)


# -- main -------------------------------------------------------------------------------------
PARTS = ("page", "nginx", "archive", "feeds")  # `--only none` runs just the options


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/run", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
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
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    if args.only == {"none"}:
        args.only = set()
    elif args.only is not None and not args.only <= set(PARTS):
        parser.error(f"--only takes some of {', '.join(PARTS)}, or none")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    try:
        tools = preflight(args)
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2

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
        if args.idle_page:
            bench.idle_page()
        if args.soak:
            bench.soak()
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        return 130
    finally:
        log("stopping servers")
        bench.procs.stop_all()
        if args.keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    text = report(bench, started)
    print(text)
    if args.json:
        args.json.write_text(json.dumps(_jsonable(bench), indent=2, default=str))
    return 0


def _jsonable(bench: Bench) -> dict:
    rows = []
    for row in bench.rows:
        evaluate(row)
        rows.append(
            {
                "group": row.group,
                "label": row.label,
                "ratio": row.ratio,
                "ratio_of": row.ratio_of,
                "ratio_both_workers": row.ratio_both,
                "goal": row.goal,
                "met": row.met,
                "note": row.note,
                "target": _target_json(row.target),
                "baseline": _target_json(row.baseline),
            }
        )
    return {"rows": rows, "extra": bench.extra}


def _target_json(target: Target | None) -> dict | None:
    if target is None:
        return None
    return {
        "label": target.label,
        "rps": target.median("rps") if target.samples else None,
        "p50_ms": target.median("p50") if target.samples else None,
        "p99_ms": target.median("p99") if target.samples else None,
        "samples": [dataclasses.asdict(s) for s in target.samples],
    }


if __name__ == "__main__":
    sys.exit(main())
