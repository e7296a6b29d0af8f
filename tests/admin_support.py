"""Helpers for the admin, API and feed tests: signing in, CSRF tokens, and a local HTTP server
that serves feeds (good and bad) on 127.0.0.1 and closes every thread and socket it opened."""

from __future__ import annotations

import contextlib
import http.server
import re
import socket
import threading
from collections.abc import Callable

import sqlalchemy as sa

from dashboard import auth, models

ADMIN_EMAIL = "press@embassy.example"
ADMIN_PASSWORD = "correct horse battery staple"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def make_admin(app, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD) -> None:
    auth.create_or_reset(app.extensions["dashboard.store"], email, password, reset=False)


def csrf_token(client, url: str = "/admin/login") -> str:
    return TOKEN.search(client.get(url).get_data(as_text=True)).group(1)


def log_in(client, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD, **kwargs):
    token = csrf_token(client)
    return client.post(
        "/admin/login",
        data={"email": email, "password": password, "csrf_token": token},
        **kwargs,
    )


def post_form(client, url: str, data: dict, htmx: bool = False, token_from: str | None = None):
    """A form post as the browser sends it: with the CSRF token of the page it came from."""
    token = csrf_token(client, token_from or "/admin/")
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(url, data={**data, "csrf_token": token}, headers=headers)


def dump(app) -> dict:
    """Every content table's rows, to show that a refused write changed nothing."""
    engine = app.extensions["dashboard.store"].engine
    names = ["site", "clocks", "counters", "statements", "feeds", "feed_items"]
    with engine.connect() as connection:
        return {
            name: sorted(
                tuple(str(v) for v in row)
                for row in connection.execute(sa.select(models.Base.metadata.tables[name]))
            )
            for name in names
        }


def statement_row(app, slug: str) -> models.Statement | None:
    with app.extensions["dashboard.store"].session() as db:
        return db.scalars(sa.select(models.Statement).where(models.Statement.slug == slug)).first()


# -- a feed server ---------------------------------------------------------------------
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
