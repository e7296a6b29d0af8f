"""The WSGI fast path: the page and its live fragment (`GET /`, `HX-Request: true`), and the live
blocks fetched ahead (`GET /live/<minute>`), answered from this process's warm bytes before
Flask, for readers with no session.

Most requests a dashboard gets are these, and Flask's own work per request (the request context,
opening the session, CSRF's before-request check, after-request hooks, building a Response and
werkzeug's header handling) costs several times what answering them does. This answers them
with the very functions the view and Flask's hooks use, so the answer is the same byte for byte
but for the request id: the language choice (i18n/choice.py), the query (web/params.py), the
cache key and Vary (web/public/views.py), ETag, max-age and the 304 (cache/http.py), the framing
headers (web/headers.py) and the access line (logs.py). tests/web/test_fastpath.py compares the
two for a table of requests.

Anything else goes to Flask untouched: another path or method, a session cookie, a parameter the
page does not read or cannot use, an answer that would set the language cookie, content not
checked against the store this minute, or bytes not in memory (Flask then reads the warmed ones
and keeps them, and the next request finds them here). So the fast path never renders and never
asks the store, and never serves bytes past their next change: the same lookup as the view's,
with the same clock (timecalc.utcnow).
"""

from __future__ import annotations

import logging
import time

from flask import Flask
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wrappers import Request

from dashboard import logs
from dashboard.cache import http
from dashboard.cache.live import pages_of
from dashboard.core import timecalc
from dashboard.i18n import choice as language_choice
from dashboard.metrics.instruments import observe_request
from dashboard.web import ahead, headers, params
from dashboard.web.public import views

log = logging.getLogger(__name__)

ENDPOINT = "public.index"  # what Flask would route these requests to
ROUTE = "/"  # its URL rule: the route label /metrics counts Flask's answers under
AHEAD_PREFIX = "/live/"
AHEAD_ENDPOINT, AHEAD_ROUTE = "ahead.block", "/live/<minute>"
METHODS = frozenset({"GET", "HEAD"})
STATUS_LINES = {code: f"{code} {HTTP_STATUS_CODES[code].upper()}" for code in (200, 304)}


class FastPath:
    """WSGI middleware in front of Flask's own wsgi_app (inside ProxyFix, when there is one, so
    the environ is the one Flask sees; outside the check for answers that set cookies, since
    its answers set none)."""

    def __init__(self, app: Flask, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        self.pages = pages_of(app)

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        answering = None
        if path == "/":
            answering = self.answer
        elif path.startswith(AHEAD_PREFIX):
            answering = self.answer_ahead
        if answering is not None and environ.get("REQUEST_METHOD") in METHODS:
            started = time.perf_counter()
            try:
                answer = answering(Request(environ), started)
            except Exception:  # Flask answers instead, with its own error handling
                log.exception("the fast path failed; Flask answers")
                answer = None
            if answer is not None:
                status, header_list, body = answer
                start_response(status, header_list)
                return [body]
        return self.wsgi_app(environ, start_response)

    def declines(self, req: Request, query: params.Query = views.PAGE) -> bool:
        config = self.app.config
        if config.get("SERVER_NAME") or config.get("TRUSTED_HOSTS"):
            return True  # Flask checks the host first
        if req.environ.get("HTTP_COOKIE") and req.cookies.get(config["SESSION_COOKIE_NAME"]):
            return True  # a session (the admin's): Flask opens and checks it
        return not query.knows_all(req)

    def start(self, req: Request, query: params.Query):
        """(now, the content checked this minute), or None when Flask must answer."""
        if self.declines(req, query):
            return None
        now = timecalc.utcnow()
        content = self.pages.checked_content(now)
        return None if content is None else (now, content)

    def answer_ahead(self, req: Request, started: float) -> tuple[str, list, bytes] | None:
        """A live block fetched ahead (web/ahead.py), as Flask would send it, or None."""
        started_with = self.start(req, ahead.AHEAD)
        if started_with is None:
            return None
        now, content = started_with
        try:
            wanted = ahead.minute_asked(req.path.removeprefix(AHEAD_PREFIX), now)
            live = ahead.block_for(ahead.AHEAD.read_from(req), content)
        except (HTTPException, params.BadParameter):
            return None  # Flask says what is wrong
        rendered = self.pages.in_memory(live.key, now, wanted)
        if rendered is None:
            return None
        header_list = list(ahead.cache_headers(rendered, wanted, now).items())
        return self.finish(req, started, rendered, now, header_list, AHEAD_ENDPOINT, AHEAD_ROUTE)

    def answer(self, req: Request, started: float) -> tuple[str, list, bytes] | None:
        """(status, headers, body) as Flask would send them, or None: Flask answers."""
        started_with = self.start(req, views.PAGE)
        if started_with is None:
            return None
        now, content = started_with
        try:
            values = views.PAGE.read_from(req)
        except params.BadParameter:
            return None
        choice = language_choice.choose(req, content.locale, values["lang"])
        hx = views.wants_fragment(req)
        if views.remembers_choice(req, choice, hx):
            return None  # it sets the language cookie: Flask's cookie handling does that
        key, _view = views.index_entry(choice.locale, hx)
        rendered = self.pages.in_memory(key, now)
        if rendered is None:
            return None
        vary = views.vary_for(ENDPOINT, choice)
        header_list = list(http.cache_headers(rendered, now, vary).items())
        return self.finish(req, started, rendered, now, header_list, ENDPOINT, ROUTE)

    def finish(self, req, started, rendered, now, header_list, endpoint, route):
        """The answer from its cache headers on: the 304 or the body, then what Flask's
        after-request hooks add, in their order; logged and counted."""
        if http.revalidated(req, rendered):
            status, body = 304, b""
        else:
            status, body = 200, http.filled_body(rendered, now, req)
            header_list += [
                ("Content-Type", http.content_type("text/html")),
                ("Content-Length", str(len(body))),
            ]
        if endpoint == AHEAD_ENDPOINT:  # the blueprint's own hook comes first
            header_list.append((ahead.SERVER_TIME, ahead.server_time()))
        header_list += headers.public_headers(endpoint, self.app.config["EMBED_ALLOWED_ORIGINS"])
        request_id = logs.request_id_from(req.environ.get("HTTP_X_REQUEST_ID"))
        header_list.append((logs.REQUEST_ID_HEADER, request_id))
        logs.log_access(req, status, logs.elapsed_ms(started), request_id)
        # The one place the fast path's answers are counted (Flask's are, in web/metrics.py).
        observe_request(route, status, time.perf_counter() - started)
        if req.method == "HEAD":
            body = b""
        return STATUS_LINES[status], header_list, body


EXTENSION = "dashboard.fastpath"


def install(app: Flask) -> None:
    app.wsgi_app = app.extensions[EXTENSION] = FastPath(app, app.wsgi_app)
