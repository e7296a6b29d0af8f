"""The WSGI fast path (web/fastpath.py) answers `/` exactly as Flask would, or lets Flask answer.

Each request of the table goes to the fast path and to Flask (the same stack without it); the
status, every header in order and the body must be the same. Requests carry an X-Request-Id so
that the id each side echoes is the same too."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time

import pytest
from werkzeug.test import EnvironBuilder, run_wsgi_app
from werkzeug.wrappers import Request

from dashboard.cache.live import pages_of
from dashboard.content import editing
from dashboard.core import timecalc
from dashboard.web import fastpath

REQUEST_ID = "test-request-1"


def _environ(method="GET", query="", request_headers=None, path="/") -> dict:
    given = {"X-Request-Id": REQUEST_ID, **(request_headers or {})}
    builder = EnvironBuilder(path=path, method=method, query_string=query, headers=given)
    return builder.get_environ()


class Sides:
    """The fast path's answer and Flask's, to one request."""

    def __init__(self, app):
        self.fast = app.extensions[fastpath.EXTENSION]
        # Flask's stack as create_app builds it, less the fast path in front
        self.flask = self.fast.wsgi_app

    def fast_answer(self, *args, **kwargs):
        ahead = kwargs.get("path", "/").startswith(fastpath.AHEAD_PREFIX)
        answering = self.fast.answer_ahead if ahead else self.fast.answer
        answer = answering(Request(_environ(*args, **kwargs)), time.perf_counter())
        if answer is None:
            return None
        status, header_list, body = answer
        return status, header_list, body

    def flask_answer(self, *args, **kwargs):
        app_iter, status, answered = run_wsgi_app(self.flask, _environ(*args, **kwargs))
        body = b"".join(app_iter)
        getattr(app_iter, "close", lambda: None)()
        return status, list(answered.to_wsgi_list()), body

    def both(self, *args, **kwargs):
        flask = self.flask_answer(*args, **kwargs)  # first: it keeps the bytes in memory
        return self.fast_answer(*args, **kwargs), flask


def test_the_fast_path_answers_as_flask_does(app, at_reference):
    sides = Sides(app)
    page = sides.flask_answer()
    etag = dict(page[1])["ETag"]
    fragment_etag = dict(sides.flask_answer(request_headers={"HX-Request": "true"})[1])["ETag"]
    table = [
        {},
        {"request_headers": {"HX-Request": "true"}},
        {"query": "lang=ru", "request_headers": {"HX-Request": "true"}},
        {"query": "lang=xx", "request_headers": {"HX-Request": "true"}},  # unknown: as not asked
        {"query": "lang=en", "request_headers": {"Cookie": "lang=en"}},
        {"query": "lang=ru", "request_headers": {"Cookie": "lang=ru; _ga=1"}},
        {"request_headers": {"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"}},
        {"request_headers": {"Accept-Language": "de, fr;q=0.5"}},  # none of ours: the site's
        {"request_headers": {"Cookie": "lang=ru", "Accept-Language": "en"}},
        {"request_headers": {"Cookie": "_analytics=visitor1"}},
        {"request_headers": {"If-None-Match": etag}},
        {"request_headers": {"If-None-Match": f'"other", {etag.removeprefix("W/")}'}},
        {"request_headers": {"If-None-Match": '"other"'}},
        {"request_headers": {"If-None-Match": fragment_etag, "HX-Request": "true"}},
        {"method": "HEAD"},
        {"method": "HEAD", "request_headers": {"If-None-Match": etag}},
        {"request_headers": {"Host": "dashboard.example:8443", "X-Forwarded-Proto": "https"}},
    ]
    statuses = set()
    for request in table:
        fast, flask = sides.both(**request)
        assert fast is not None, request
        assert fast == flask, request
        statuses.add(fast[0])
        assert (fast[2] == b"") == (fast[0].startswith("304") or request.get("method") == "HEAD")
    assert statuses == {"200 OK", "304 NOT MODIFIED"}
    # The id a proxy sent is echoed; without one, each side makes its own.
    environ = _environ()
    del environ["HTTP_X_REQUEST_ID"]
    _status, made, _body = sides.fast.answer(Request(environ), time.perf_counter())
    assert len(dict(made)["X-Request-Id"]) == 32


def test_the_fast_path_leaves_to_flask_what_is_not_its_own(app, at_reference, monkeypatch):
    sides = Sides(app)
    sides.flask_answer()
    sides.flask_answer(request_headers={"HX-Request": "true"})
    assert sides.fast_answer() is not None  # warm: what follows is declined for its own reason
    declined = [
        {"request_headers": {"Cookie": "dashboard_session=abc; lang=en"}},  # the admin's session
        {"query": "utm_source=mail"},  # a parameter the page does not read
        {"query": "preview=pv_abc"},
        {"query": "lang=ru"},  # sets the language cookie
        {"query": "lang=ru&lang=en&x=1"},
    ]
    for request in declined:
        assert sides.fast_answer(**request) is None, request
    # Another method or path never reaches it: Flask answers (405, the admin's redirect).
    client = app.test_client()
    assert client.post("/").status_code == 405
    assert client.get("/admin/").status_code in (302, 303)
    # Bytes not in memory: Flask reads (or renders) them, and keeps them for the next request.
    pages = pages_of(app)
    pages.invalidate()
    with monkeypatch.context() as patched:  # it neither renders nor asks the store
        for name in ("render", "_warmed", "content"):
            patched.setattr(pages, name, lambda *a, **k: pytest.fail("the fast path asked"))
        assert sides.fast_answer() is None
    assert sides.flask_answer()[0] == "200 OK"
    assert sides.fast_answer() is not None


def test_never_past_the_next_change_and_current_after_an_edit(app, at_reference):
    sides = Sides(app)
    pages = pages_of(app)
    before = sides.flask_answer()
    fast = sides.fast_answer()
    assert fast == before
    assert dict(fast[1])["Cache-Control"] == "public, max-age=60"  # 17:58:00 to 17:59:00
    at_reference.shift(59.5)
    fast, flask = sides.both()
    assert fast == flask and dict(fast[1])["Cache-Control"] == "public, max-age=0"
    at_reference.shift(0.5)  # 17:59:00: the copy's next change
    assert sides.fast_answer() is None  # not checked this minute, not in memory either
    fast, flask = sides.both()
    assert fast == flask and dict(fast[1])["ETag"] != dict(before[1])["ETag"]
    assert b"17:59" in fast[2]
    # A copy whose next change comes within its minute (a statement's instant) ends there too.
    now = timecalc.utcnow()
    key = ("page:en", timecalc.floor_minute(now))
    pages._memory[key] = dataclasses.replace(
        pages._memory[key], next_change=now + dt.timedelta(seconds=10)
    )
    at_reference.shift(9.999)
    assert sides.fast_answer() is not None
    at_reference.shift(0.001)
    assert sides.fast_answer() is None
    # An edit in this process: the fast path declines until Flask has the new bytes.
    with app.app_context():
        editing.save_clock({"label": "Paris", "timezone": "Europe/Paris"})
    assert sides.fast_answer() is None
    fast, flask = sides.both()
    assert fast == flask and b"Paris" in fast[2]


NEXT_MINUTE = "/live/2020-01-26T17:59Z"  # the minute after the reference's


def test_blocks_fetched_ahead_are_answered_as_flask_does(app, at_reference):
    sides = Sides(app)
    page = dict(sides.flask_answer(path=NEXT_MINUTE, query="view=page&lang=en")[1])
    table = [
        {"query": "view=page&lang=en"},
        {"query": "lang=ru"},
        {"query": "view=counter&slug=salisbury&lang=ru"},
        {"query": "view=embed&counters=salisbury&statements=3"},
        {"query": "view=board&clocks=moscow&theme=dark"},
        {"query": "view=page&lang=en", "request_headers": {"Cookie": "lang=ru; _ga=1"}},
        {"query": "view=page&lang=en", "request_headers": {"If-None-Match": page["ETag"]}},
        {"query": "view=page&lang=en", "method": "HEAD"},
    ]
    statuses = set()
    for request in table:
        request = {"path": NEXT_MINUTE, **request}
        fast, flask = sides.both(**request)
        assert fast is not None, request
        assert fast == flask, request
        assert "X-Server-Time" in dict(fast[1])
        statuses.add(fast[0])
    assert statuses == {"200 OK", "304 NOT MODIFIED"}
    # The current minute's block is the page's live fragment: the same bytes, one copy.
    fragment = sides.flask_answer(request_headers={"HX-Request": "true"})
    current = sides.fast_answer(path="/live/2020-01-26T17:58Z", query="lang=en")
    assert dict(current[1])["ETag"] == dict(fragment[1])["ETag"]


@pytest.mark.parametrize(
    "request_",
    [
        {"path": "/live/2020-01-26T18:01Z"},  # past next + 1: Flask says so
        {"path": "/live/2020-01-26T17:59"},  # no minute
        {"query": "view=counter&slug=nope"},
        {"query": "view=calendar"},
        {"query": "view=page&utm_source=mail"},  # a parameter it does not read
        {"query": "view=page", "request_headers": {"Cookie": "dashboard_session=abc"}},
    ],
)
def test_what_flask_must_answer_ahead_it_leaves_to_flask(app, at_reference, request_):
    sides = Sides(app)
    for view in ("page", "counter&slug=salisbury", "calendar"):
        sides.flask_answer(path=NEXT_MINUTE, query=f"view={view}")
    assert sides.fast_answer(path=NEXT_MINUTE, query="view=page") is not None  # warm
    assert sides.fast_answer(**{"path": NEXT_MINUTE, **request_}) is None
