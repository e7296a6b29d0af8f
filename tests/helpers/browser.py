"""Helpers for the browser tests: Debian's Chromium, a pinned htmx, and servers on 127.0.0.1.

Everything listens on 127.0.0.1 only and is closed explicitly (pytest turns ResourceWarnings
into errors). htmx comes from the npm client, never from a hard-coded registry address, and its
hash is checked against the one the template emits before any browser sees it.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import http.server
import os
import shutil
import socket
import subprocess
import tarfile
import tempfile
import threading
import time
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from dashboard import config

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CACHE_DIR = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "dashboard-tests"
HTMX_MEMBER = "package/dist/htmx.min.js"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


# -- htmx -------------------------------------------------------------------------------------
def sri_sha384(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode("ascii")


def pinned_htmx() -> bytes:
    """package/dist/htmx.min.js of htmx.org@HTMX_VERSION, packed by npm into the cache (reused
    when present), checked against dashboard.config.HTMX_SRI, which the template uses."""
    return packed_npm_file("htmx.org", config.HTMX_VERSION, HTMX_MEMBER, config.HTMX_SRI)


def packed_npm_file(package: str, version: str, member: str, sri: str) -> bytes:
    """`member` of `package@version` as `npm pack` gives it (cached in CACHE_DIR like htmx),
    checked against a pinned SRI hash. Fails the run, never skips, when it cannot be had."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    tarball = CACHE_DIR / f"{package.lstrip('@').replace('/', '-')}-{version}.tgz"
    if not tarball.is_file():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail(f"npm is needed to fetch {package}@{version} for the browser tests")
        # Packed aside and moved into place whole: another run sharing the cache never reads
        # a half-written file.
        with tempfile.TemporaryDirectory(dir=CACHE_DIR) as aside:
            result = subprocess.run(
                [npm, "pack", f"{package}@{version}", "--pack-destination", aside],
                capture_output=True,
                text=True,
                timeout=180,
                check=False,
            )
            packed = Path(aside) / tarball.name
            if result.returncode != 0 or not packed.is_file():
                pytest.fail(
                    f"`npm pack {package}@{version}` failed ({result.returncode}):\n"
                    f"{result.stdout}\n{result.stderr}"
                )
            os.replace(packed, tarball)
    try:
        with tarfile.open(tarball, "r:gz") as archive:
            extracted = archive.extractfile(member)
            if extracted is None:
                pytest.fail(f"{tarball} has no {member}")
            with extracted:
                data = extracted.read()
    except (tarfile.TarError, KeyError, OSError) as error:
        pytest.fail(f"cannot read {member} from {tarball} ({error}); delete it to re-fetch")
    found = sri_sha384(data)
    if found != sri:
        pytest.fail(f"{package}@{version} {member} hashes to {found}, not the pinned {sri}")
    return data


class _QuietHandler(http.server.BaseHTTPRequestHandler):
    server: FileServer

    def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
        body = self.server.files.get(self.path.split("?", 1)[0])
        self.server.hits.append(self.path)
        time.sleep(self.server.delay)  # a slow CDN
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        html = self.path.split("?", 1)[0].endswith(".html")  # host pages for the embed tests
        kind = "text/html" if html else "text/javascript"
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        # The script tag says crossorigin="anonymous", so the browser needs CORS to check SRI.
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class FileServer(http.server.ThreadingHTTPServer):
    """Serves a few in-memory files on 127.0.0.1 with Access-Control-Allow-Origin: *."""

    daemon_threads = True

    def __init__(self, files: dict[str, bytes], delay: float = 0.0):
        super().__init__(("127.0.0.1", 0), _QuietHandler)
        self.files = files
        self.delay = delay
        self.hits: list[str] = []
        self._thread = threading.Thread(target=self.serve_forever, name="file-server")

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def url(self, path: str) -> str:
        return self.origin + path

    def __enter__(self) -> FileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join(timeout=10)


# -- the app ----------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Hit:
    at: float  # time.time() when the request arrived
    path: str
    hx: bool  # sent with HX-Request: true (an htmx fragment request)
    status: int | None


class _SilentWSGIHandler(WSGIRequestHandler):
    def log_request(self, *args: object, **kwargs: object) -> None:
        pass


class AppServer:
    """The Flask app behind werkzeug on 127.0.0.1 in a thread, recording every request."""

    def __init__(self, app):
        self.app = app
        self.hits: list[Hit] = []
        self._lock = threading.Lock()
        self._server = make_server(
            "127.0.0.1", 0, self._wsgi, threaded=True, request_handler=_SilentWSGIHandler
        )
        self._thread = threading.Thread(target=self._server.serve_forever, name="app-server")

    def _wsgi(self, environ, start_response):
        arrived = time.time()
        status: list[int] = []

        def recording_start_response(status_line, headers, exc_info=None):
            status.append(int(status_line.split(" ", 1)[0]))
            return start_response(status_line, headers, exc_info)

        try:
            return self.app.wsgi_app(environ, recording_start_response)
        finally:
            hit = Hit(
                at=arrived,
                path=environ.get("PATH_INFO", ""),
                hx=environ.get("HTTP_HX_REQUEST") == "true",
                status=status[0] if status else None,
            )
            with self._lock:
                self.hits.append(hit)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def url(self, path: str = "/") -> str:
        return self.origin + path

    def fragment_hits(self) -> list[Hit]:
        with self._lock:
            return [hit for hit in self.hits if hit.hx]

    def __enter__(self) -> AppServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


# -- a CDN that never answers -----------------------------------------------------------------
class StalledServer:
    """Accepts TCP connections on 127.0.0.1 and never sends a byte until closed."""

    def __init__(self):
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self.connections: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="stalled-server")

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections.append(connection)

    def __enter__(self) -> StalledServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self._listener.close()
        for connection in self.connections:
            connection.close()


# -- Chromium ---------------------------------------------------------------------------------
def launch_chromium(playwright, extra_args: list[str] | None = None):
    if not CHROMIUM.is_file() or not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Chromium is not at {CHROMIUM}: install Debian's `chromium` package "
            "(the browser tests never download Playwright's own browsers)"
        )
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM),
        headless=True,
        args=CHROMIUM_ARGS + (extra_args or []),
    )
