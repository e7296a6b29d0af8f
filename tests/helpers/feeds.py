"""A feed server on 127.0.0.1 that a test starts itself, and a feed it serves."""

from __future__ import annotations

import contextlib
import http.server
import socket
import threading
from collections.abc import Callable

RSS2 = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Ministry &amp; News</title><link>http://ministry.example/</link>
<description>News</description>
<item><title>Statement on the talks</title><link>http://ministry.example/talks</link>
<guid isPermaLink="false">ministry-1</guid><pubDate>Thu, 16 Jan 2020 10:30:00 +0300</pubDate>
<description>&lt;p&gt;The talks went &lt;em&gt;well&lt;/em&gt;.&lt;/p&gt;</description></item>
<item><title>A note without a date</title><link>http://ministry.example/note</link>
<guid>ministry-2</guid><description>Plain words.</description></item>
</channel></rss>"""

Route = Callable[[http.server.BaseHTTPRequestHandler], None]


class FeedServer(http.server.ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True  # server_close() joins every handler thread

    def __init__(self, routes: dict[str, Route]):
        self.routes = dict(routes)  # a test may change its own copy
        self.requests: list[tuple[str, dict]] = []
        self.stopping = threading.Event()
        super().__init__(("127.0.0.1", 0), _Handler)

    def handle_error(self, request, client_address):  # a client that hung up is expected here
        pass

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # close-delimited bodies, so a body may have no length

    def do_GET(self):  # noqa: N802 (http.server's naming)
        self.server.requests.append((self.path, dict(self.headers)))
        route = self.server.routes.get(self.path.split("?")[0])
        try:
            if route is None:
                self.send_error(404)
            else:
                route(self)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


def send(handler, body: bytes, content_type: str = "application/rss+xml", status: int = 200,
         headers: dict | None = None, length: bool = True) -> None:  # fmt: skip
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    if length:
        handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


@contextlib.contextmanager
def feed_server(routes: dict[str, Route]):
    server = FeedServer(routes)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        server.shutdown()
        thread.join()
        server.server_close()


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
