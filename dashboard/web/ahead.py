"""/live/<minute>: a live block as it will be at a coming minute, for open pages to fetch ahead.

Open pages once all asked for their live block at the minute boundary: N readers, N requests in
the same second, and a flip as late as the slowest answer. Instead each page (static/live.js)
fetches the next minute's block at a random moment within the current one and swaps it in at
the boundary, timed by the server's clock (X-Server-Time here).

- The URL names the minute: /live/2026-12-01T18:53Z?view=page&lang=en. Minutes outside
  [previous, next + 1] are refused (404): the server does not guess further.
- The bytes are the same live block the page's htmx fragment is, under the same cache key, so
  the scheduler's warm bytes for the next minute serve them: a block for a coming minute shows
  its clocks and counters as they will be, and only the statements published when it was
  asked (never one still under embargo).
- They hold for that minute until an edit, and any shared cache may keep them until that
  minute ends (or the next change, if sooner: a statement's instant).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

from flask import Blueprint, Flask, Response, abort, request, url_for

from dashboard.cache import keys
from dashboard.cache.http import content_type, filled_body, revalidated
from dashboard.cache.live import Rendered, View, live_pages
from dashboard.core import timecalc
from dashboard.core.snapshot import SiteContent
from dashboard.web import params
from dashboard.web.board import views as board
from dashboard.web.embed import widget
from dashboard.web.embed.query import EMBED_PARAMETERS, WIDGET, embed_query
from dashboard.web.public import counters, views

bp = Blueprint("ahead", __name__)

SERVER_TIME = "X-Server-Time"  # Unix milliseconds when the answer left: the client's clock
PLACEHOLDER = "0000-00-00T00:00Z"  # in data-live-url: the client writes the minute there


@dataclasses.dataclass(frozen=True)
class LiveBlock:
    key: str  # the same key as the page's own live fragment: the same warm bytes
    view: View
    locale: str


def _page(values: dict, content: SiteContent) -> LiveBlock:
    locale = values["lang"] or content.locale
    return LiveBlock(keys.live_block(locale), views.live_view, locale)


def _counter(values: dict, content: SiteContent) -> LiveBlock:
    slug, locale = values["slug"], values["lang"] or content.locale
    if slug is None:
        raise params.BadParameter("'slug' must name the counter of a counter page's block")
    if all(counter.slug != slug for counter in content.counters):
        abort(404, description=f"There is no counter called {slug!r}.")
    return LiveBlock(keys.counter_live(locale, slug), counters.live_view(slug), locale)


def _embed(values: dict, content: SiteContent) -> LiveBlock:
    query = embed_query(_parts(values, WIDGET), content)
    return LiveBlock(
        widget.embed_key(query, fragment=True), widget.embed_view(query, True), query.locale
    )


def _board(values: dict, content: SiteContent) -> LiveBlock:
    query = embed_query({**WIDGET.defaults, **_parts(values, board.BOARD)}, content)
    return LiveBlock(
        board.board_key(query, fragment=True), board.board_view(query, True), query.locale
    )


def _parts(values: dict, query: params.Query) -> dict:
    return {name: values[name] for name in query.parameters}


# Each view whose live block can be fetched ahead: what it reads from the query, and its block.
BLOCKS: dict[str, Callable[[dict, SiteContent], LiveBlock]] = {
    "page": _page,
    "counter": _counter,
    "embed": _embed,
    "board": _board,
}
AHEAD = params.Query(
    "ahead.block",
    view=params.OneOf(tuple(BLOCKS), default="page"),
    slug=params.Text(200),
    **EMBED_PARAMETERS,
)


def minutes_open(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The first and last minute whose block may be asked for at `now`."""
    return timecalc.minute_from(now, -1), timecalc.minute_from(now, 2)


def minute_asked(text: str, now: dt.datetime) -> dt.datetime:
    """The minute the URL names, or an HTTPException: 400 if it names none, 404 outside
    [previous, next + 1]."""
    try:
        wanted = timecalc.parse_minute(text)
    except timecalc.TimeError as error:
        abort(400, description=str(error))
    first, last = minutes_open(now)
    if not first <= wanted <= last:
        abort(
            404,
            description=(
                f"The block for {text} cannot be asked for now: only the minutes from "
                f"{timecalc.minute_text(first)} to {timecalc.minute_text(last)}."
            ),
        )
    return wanted


def block_for(values: dict, content: SiteContent) -> LiveBlock:
    return BLOCKS[values["view"]](values, content)


def cache_headers(rendered: Rendered, wanted: dt.datetime, now: dt.datetime) -> dict[str, str]:
    """Kept until that minute ends, or sooner when what it shows changes before."""
    until = min(rendered.next_change, timecalc.next_minute(wanted))
    seconds = timecalc.whole_seconds_left(until, now)
    return {"ETag": rendered.etag, "Cache-Control": f"public, max-age={seconds}"}


def server_time() -> str:
    return str(timecalc.epoch_millis(timecalc.utcnow()))


@bp.get("/live/<minute>")
def block(minute: str):
    # web/fastpath.py answers most of these before Flask, with the functions used here.
    now = timecalc.utcnow()
    wanted = minute_asked(minute, now)
    live = block_for(AHEAD.read(), live_pages().content(now))
    rendered = live_pages().get(live.key, now, live.view, live.locale, minute=wanted)
    headers = cache_headers(rendered, wanted, now)
    if revalidated(request, rendered):
        return Response(status=304, headers=headers)
    body = filled_body(rendered, now, request)
    return Response(body, headers=headers, content_type=content_type("text/html"))


@bp.after_request
def tell_the_time(response: Response) -> Response:
    """Every answer here says when it left, refusals too: a page whose device clock is far off
    asks for the wrong minute once, and learns the right one from the 404."""
    response.headers[SERVER_TIME] = server_time()
    return response


def live_url(view: str, query_string: str) -> str:
    """The address of a block ahead, with PLACEHOLDER for the minute (data-live-url)."""
    return url_for("ahead.block", minute=PLACEHOLDER) + f"?view={view}&{query_string}"


def register(app: Flask) -> None:
    app.jinja_env.globals["live_url"] = live_url
    app.register_blueprint(bp)
