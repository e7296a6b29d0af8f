"""nginx for the benchmark: what `dashboard nginx-config` prints, run as an operator runs it,
beside a server of static files (the page's bytes, htmx); its access log; and many requests
fired at one instant."""

from __future__ import annotations

import contextlib
import http.client
import subprocess
import threading
import time
from pathlib import Path

from bench.common import PY, BenchError, wait_for_http
from tests.helpers.nginx import Nginx, config_args, main_conf
from tests.helpers.servers import HOST, free_port

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
LOG_FORMAT = (
    "$msec|$server_port|$request_method|$request_uri|$status|$bytes_sent|"
    "$upstream_cache_status|$http_hx_request|$request_length"
)
HTTP_EXTRA = """    types { text/html html; text/css css; application/javascript js; }
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;"""


class BenchNginx(Nginx):
    """The deploy configuration on the first port, static files on the second."""

    @property
    def static_port(self) -> int:
        return self.ports[1]

    @property
    def static(self) -> Path:
        return self.folder / "static"


def deploy_config(port: int, upstream: int, cache_dir: Path, env: dict[str, str]) -> str:
    """`dashboard nginx-config` for this run, in a process of its own with the run's settings."""
    argv = [PY, "-m", "dashboard", *config_args(port=port, upstream=upstream, cache_dir=cache_dir)]
    result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BenchError(f"`dashboard nginx-config` failed:\n{result.stderr}")
    return result.stdout


def start_nginx(
    stack: contextlib.ExitStack,
    nginx_bin: str,
    tmp: Path,
    upstream: int,
    static_port: int,
    env: dict[str, str],
) -> BenchNginx:
    folder = tmp / "nginx"
    (folder / "static").mkdir(parents=True, exist_ok=True)
    (folder / "static" / "ready.html").write_text("ready\n")
    port = free_port()
    static = f"""    server {{
        listen {HOST}:{static_port};
        root {folder / "static"};
        location = /htmx.min.js {{ add_header Access-Control-Allow-Origin "*"; }}
    }}"""
    conf = main_conf(
        folder,
        deploy_config(port, upstream, folder / "cache", env),
        workers="auto",
        connections=4096,
        log_format=LOG_FORMAT,
        http_extra=HTTP_EXTRA,
        servers=static,
    )
    try:
        nginx = stack.enter_context(BenchNginx(nginx_bin, folder, conf, [port, static_port]))
    except RuntimeError as error:
        raise BenchError(str(error)) from None
    wait_for_http(static_port, "/ready.html", nginx.process, folder / "error.log")
    wait_for_http(port, "/", nginx.process, folder / "error.log")
    return nginx


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
