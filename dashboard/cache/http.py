"""HTTP caching for rendered bytes: ETag, a max-age that ends when the content changes, 304s."""

from __future__ import annotations

import datetime as dt

from flask import Response, request

from dashboard.cache.live import Rendered, fill_delay
from dashboard.core import timecalc


def _origin() -> str:
    # Not request.host_url: that also builds and IRI-decodes the whole URL.
    return f"{request.scheme}://{request.host}"


def cached_response(
    rendered: Rendered,
    now: dt.datetime,
    mimetype: str = "text/html",
    vary: tuple[str, ...] = (),
    marks: bool = True,
) -> Response:
    """`marks`: the bytes may hold per-request marks to fill (text does; an image never)."""
    seconds = timecalc.whole_seconds_left(rendered.next_change, now)
    headers = {
        "ETag": rendered.etag,
        "Cache-Control": f"public, max-age={seconds}",
    }
    if vary:
        headers["Vary"] = ", ".join(vary)
    # The ETag check comes first, so a revalidation costs no rendering and no copying.
    # If-None-Match compares weakly (RFC 9110 13.1.2).
    if request.if_none_match.contains_weak(rendered.etag.removeprefix("W/").strip('"')):
        return Response(status=304, headers=headers)
    body = fill_delay(rendered.body, rendered.next_change, now, _origin) if marks else rendered.body
    charset = "; charset=utf-8" if mimetype.startswith("text/") else ""
    response = Response(body, headers=headers, content_type=mimetype + charset)
    return response
