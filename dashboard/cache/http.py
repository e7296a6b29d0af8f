"""HTTP caching for rendered bytes: ETag, a max-age that ends when the content changes, 304s.

Flask's views (cached_response) and the WSGI fast path (web/fastpath.py) build their answers
from the same functions here, given a werkzeug request: Flask's or one made from the environ.
"""

from __future__ import annotations

import datetime as dt

from flask import Response, request
from werkzeug.wrappers import Request

from dashboard.cache.live import Rendered, fill_delay
from dashboard.core import timecalc

_ORIGINS: dict[tuple, str] = {}  # what werkzeug made of the environ's host fields
MAX_ORIGINS = 64  # the Host header is the client's to choose: a bound on what is kept


def origin_of(req: Request) -> str:
    """scheme://host, as werkzeug reads it (not request.host_url: that also builds and
    IRI-decodes the whole URL). Kept per host fields: werkzeug's parse costs a tenth of the
    fast path's answer, and a site is asked under one or two names."""
    if req.trusted_hosts is not None:  # werkzeug checks the host as it reads it
        return f"{req.scheme}://{req.host}"
    environ = req.environ
    fields = (
        environ.get("wsgi.url_scheme"),
        environ.get("HTTP_HOST"),
        environ.get("SERVER_NAME"),
        environ.get("SERVER_PORT"),
    )
    found = _ORIGINS.get(fields)
    if found is None:
        found = f"{req.scheme}://{req.host}"
        if len(_ORIGINS) >= MAX_ORIGINS:
            _ORIGINS.clear()
        _ORIGINS[fields] = found
    return found


def cache_headers(rendered: Rendered, now: dt.datetime, vary: tuple[str, ...] = ()) -> dict:
    """ETag, and a max-age that ends at the next change, never after it."""
    seconds = timecalc.whole_seconds_left(rendered.next_change, now)
    headers = {
        "ETag": rendered.etag,
        "Cache-Control": f"public, max-age={seconds}",
    }
    if vary:
        headers["Vary"] = ", ".join(vary)
    return headers


def revalidated(req: Request, rendered: Rendered) -> bool:
    """If-None-Match names these bytes: a 304. It compares weakly (RFC 9110 13.1.2)."""
    if not req.environ.get("HTTP_IF_NONE_MATCH"):  # most requests: nothing to parse
        return False
    return req.if_none_match.contains_weak(rendered.etag.removeprefix("W/").strip('"'))


def content_type(mimetype: str) -> str:
    return mimetype + ("; charset=utf-8" if mimetype.startswith("text/") else "")


def filled_body(rendered: Rendered, now: dt.datetime, req: Request) -> bytes:
    return fill_delay(rendered.body, rendered.next_change, now, lambda: origin_of(req))


def cached_response(
    rendered: Rendered,
    now: dt.datetime,
    mimetype: str = "text/html",
    vary: tuple[str, ...] = (),
    marks: bool = True,
) -> Response:
    """`marks`: the bytes may hold per-request marks to fill (text does; an image never)."""
    headers = cache_headers(rendered, now, vary)
    # The ETag check comes first, so a revalidation costs no rendering and no copying.
    if revalidated(request, rendered):
        return Response(status=304, headers=headers)
    body = filled_body(rendered, now, request) if marks else rendered.body
    return Response(body, headers=headers, content_type=content_type(mimetype))
