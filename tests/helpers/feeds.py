"""A feed server on 127.0.0.1 that a test starts itself, the feeds it serves (good, and broken
in every way the feed tests need), and the feed rows a test adds and reads back."""

from __future__ import annotations

import contextlib
import http.server
import socket
import threading
from collections.abc import Callable

import sqlalchemy as sa

from dashboard.content import models
from dashboard.content.store import EXTENSION as STORE
from dashboard.feeds import subscriptions

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


# -- the feed tests' feeds, and their rows ---------------------------------------------------
RSS1 = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
  xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="http://rdf.example/"><title>RDF news</title><link>http://rdf.example/</link>
<description>d</description><items><rdf:Seq><rdf:li resource="http://rdf.example/a"/></rdf:Seq></items>
</channel>
<item rdf:about="http://rdf.example/a"><title>An RSS 1.0 item</title><link>http://rdf.example/a</link>
<description>From RDF.</description><dc:date>2020-01-20T08:00:00Z</dc:date></item>
</rdf:RDF>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom news</title><id>urn:uuid:feed</id>
<updated>2020-01-21T00:00:00Z</updated><link href="http://atom.example/"/>
<entry><title type="html">An &lt;b&gt;Atom&lt;/b&gt; entry</title><id>urn:uuid:entry-1</id>
<link rel="alternate" href="http://atom.example/entry-1"/>
<published>2020-01-21T09:15:00Z</published><updated>2020-01-21T09:15:00Z</updated>
<summary>Short.</summary>
<content type="html">&lt;p&gt;Long &lt;a href="javascript:alert(1)"&gt;text&lt;/a&gt;
&lt;script&gt;alert(1)&lt;/script&gt;&lt;/p&gt;</content>
</entry></feed>"""

REPEATS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Repeats</title>
<item><title>Once</title><guid>same-guid</guid><link>http://repeat.example/1</link></item>
<item><title>Once again, same guid</title><guid>same-guid</guid><link>http://repeat.example/2</link></item>
<item><title>Same link, new guid</title><guid>other-guid</guid><link>http://repeat.example/1</link></item>
<item><title>Neither guid nor link</title><description>Only words.</description></item>
<item><title>Neither guid nor link</title><description>Only words.</description></item>
</channel></rss>"""

MALFORMED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Broken</title>
<item><title>Fish & chips</title><guid>broken-1</guid></item></channel>"""

HTML_PAGE = b"""<!doctype html><html><head><title>Not a feed</title></head>
<body><h1>Welcome</h1><p>This is a web page.</p></body></html>"""

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>&lol9;</title><guid>bomb</guid></item></channel></rss>"""

TEN_MB = 10 * 1024 * 1024


def _big(handler, declare_length: bool) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/rss+xml")
    if declare_length:
        handler.send_header("Content-Length", str(TEN_MB))
    handler.end_headers()
    handler.wfile.write(b'<?xml version="1.0"?><rss version="2.0"><channel><title>')
    chunk = b"x" * 65536
    for _ in range(TEN_MB // len(chunk)):
        handler.wfile.write(chunk)


def _slow(handler) -> None:
    handler.server.stopping.wait(10)  # far beyond the read timeout; ends when the test does
    send(handler, RSS2)


def _conditional(handler) -> None:
    if handler.headers.get("If-None-Match") == '"v1"':
        handler.send_response(304)
        handler.send_header("ETag", '"v1"')
        handler.end_headers()
        return
    headers = {"ETag": '"v1"', "Last-Modified": "Sun, 26 Jan 2020 17:00:00 GMT"}
    send(handler, RSS2, headers=headers)


ROUTES = {
    "/rss2": lambda h: send(h, RSS2),
    "/rss1": lambda h: send(h, RSS1, "application/rdf+xml"),
    "/atom": lambda h: send(h, ATOM, "application/atom+xml"),
    "/repeats": lambda h: send(h, REPEATS),
    "/error": lambda h: send(h, b"<h1>Internal error</h1>", "text/html", status=500),
    "/malformed": lambda h: send(h, MALFORMED),
    "/html": lambda h: send(h, HTML_PAGE, "text/html; charset=utf-8"),
    "/bomb": lambda h: send(h, BOMB),
    "/big": lambda h: _big(h, declare_length=True),
    "/big-streamed": lambda h: _big(h, declare_length=False),
    "/slow": _slow,
    "/conditional": _conditional,
}


def add_feed(app, url: str, publish: bool = True, language: str = "en") -> int:
    with app.test_request_context():
        row = subscriptions.save_feed(
            {"url": url, "interval_minutes": 30, "language": language, "publish": publish}
        )
    return row.id


def feed_row(app, feed_id: int) -> models.Feed:
    with app.extensions[STORE].session() as db:
        return db.get(models.Feed, feed_id)


def feed_statements(app, feed_id: int) -> list[models.Statement]:
    with app.extensions[STORE].session() as db:
        return list(
            db.scalars(
                sa.select(models.Statement)
                .join(models.FeedItem, models.FeedItem.statement_id == models.Statement.id)
                .where(models.FeedItem.feed_id == feed_id)
                .order_by(models.Statement.published)
            )
        )
