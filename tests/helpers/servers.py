"""Servers on 127.0.0.1 that a test (or the benchmark) runs in threads of its own, a free
port, and one HTTP request. Every server is closed explicitly (pytest turns ResourceWarnings
into errors)."""

from __future__ import annotations

import contextlib
import dataclasses
import http.client
import http.server
import socket
import subprocess
import threading
import time

from werkzeug.serving import WSGIRequestHandler, make_server

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def request(
    port: int, method: str, path: str, headers: dict | None = None, body=None, timeout: float = 15
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """One request on a connection of its own: status, headers (case-insensitive), body."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def get(port: int, path: str, headers: dict | None = None, timeout: float = 15):
    return request(port, "GET", path, headers, timeout=timeout)


def wait_for_port(
    port: int, process: subprocess.Popen | None = None, timeout: float = 15, log=lambda: ""
) -> None:
    """Until something accepts connections on the port; fails when `process` exits first."""
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}:\n{log()}")
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), 0.5):
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"nothing listens on {HOST}:{port} after {timeout} s:\n{log()}")
        time.sleep(0.05)


# -- a few files, as a CDN or another site serves them ----------------------------------------
class _FileHandler(http.server.BaseHTTPRequestHandler):
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
        super().__init__((HOST, 0), _FileHandler)
        self.files = files
        self.delay = delay
        self.hits: list[str] = []
        self._thread = threading.Thread(target=self.serve_forever, name="file-server")

    @property
    def origin(self) -> str:
        return f"http://{HOST}:{self.server_address[1]}"

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
    cache_control: str  # what the app answered with
    request_id: str = ""  # the X-Request-Id it was sent


class _SilentWSGIHandler(WSGIRequestHandler):
    def log_request(self, *args: object, **kwargs: object) -> None:
        pass


class AppServer:
    """The Flask app behind werkzeug on 127.0.0.1 in a thread, recording every request that
    reaches it (before its answer leaves)."""

    def __init__(self, app):
        self.app = app
        self.hits: list[Hit] = []
        self._lock = threading.Lock()
        self._server = make_server(
            HOST, 0, self._wsgi, threaded=True, request_handler=_SilentWSGIHandler
        )
        self._thread = threading.Thread(target=self._server.serve_forever, name="app-server")

    def _wsgi(self, environ, start_response):
        arrived = time.time()
        answered: list[tuple[int, str]] = []

        def recording_start_response(status_line, headers, exc_info=None):
            cache_control = dict(headers).get("Cache-Control", "")
            answered.append((int(status_line.split(" ", 1)[0]), cache_control))
            return start_response(status_line, headers, exc_info)

        try:
            return self.app.wsgi_app(environ, recording_start_response)
        finally:
            status, cache_control = answered[0] if answered else (None, "")
            hit = Hit(
                at=arrived,
                path=environ.get("PATH_INFO", ""),
                hx=environ.get("HTTP_HX_REQUEST") == "true",
                status=status,
                request_id=environ.get("HTTP_X_REQUEST_ID", ""),
                cache_control=cache_control,
            )
            with self._lock:
                self.hits.append(hit)

    @property
    def port(self) -> int:
        return self._server.server_port

    @property
    def origin(self) -> str:
        return f"http://{HOST}:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.origin + path

    def requests_for(self, path: str, hx: bool | None = None) -> list[Hit]:
        with self._lock:
            return [h for h in self.hits if h.path == path and (hx is None or h.hx == hx)]

    def fragment_hits(self) -> list[Hit]:
        with self._lock:
            return [hit for hit in self.hits if hit.hx]

    def ahead_hits(self, since: float = 0) -> list[Hit]:
        """The live blocks fetched ahead (/live/<minute>) since `since`."""
        with self._lock:
            return [h for h in self.hits if h.path.startswith("/live/") and h.at >= since]

    def fetched_ahead(self, since: float, boundary: float) -> list[Hit]:
        """Checks that the block for the minute beginning at `boundary` was fetched ahead,
        before it, and that htmx asked for nothing meanwhile; returns those fetches."""
        minute = time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime(boundary))
        fetched = [h for h in self.ahead_hits(since) if h.path == f"/live/{minute}"]
        assert fetched, f"nothing fetched ahead for {minute}: {self.ahead_hits(since)}"
        assert all(h.at < boundary for h in fetched), fetched
        assert fetched[-1].status == 200, fetched
        asked = [h for h in self.fragment_hits() if h.at >= since]
        assert asked == [], f"htmx asked too: {asked}"
        return fetched

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
        self._listener = socket.create_server((HOST, 0))
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
