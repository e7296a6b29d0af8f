"""/board: clocks, counters, the date and the latest headlines, sized to fill a lobby's screen
with nothing to scroll. It reads the embed's parameters (`clocks`, `counters`, `lang`, `theme`)
through the embed's own parser, so a board and a widget showing the same parts are asked for
the same way and refuse the same bad values. Its live block asks for itself again exactly as
the page's does (static/live.js); static/board.js adds what a screen nobody touches needs.
Every value comes from the snapshot."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from pathlib import Path

from flask import Blueprint, current_app, url_for

from dashboard.cache import keys
from dashboard.core.snapshot import DatedStatement, SiteContent, Snapshot
from dashboard.i18n.languages import locales
from dashboard.web import params
from dashboard.web.embed.query import EMBED_PARAMETERS, WIDGET, EmbedQuery
from dashboard.web.embed.widget import widget_response
from dashboard.web.templating import render_block, render_page

bp = Blueprint("board", __name__)

# The parts of the embed's query a board has: it shows no statement list and is never framed.
BOARD = params.Query(
    "board.board",
    **{name: EMBED_PARAMETERS[name] for name in ("clocks", "counters", "lang", "theme")},
)
HEADLINES = 5  # the featured statement's and the next newest, in turn
# What the board is made of besides its live block: when these change (a new version was
# deployed), an open board reloads itself, once a probe shows the new one is being served.
BUILD_FILES = ("board.css", "board.js", "live.js")
BUILD_TEMPLATE = "board/board.html"


def build_mark() -> str:
    app = current_app._get_current_object()
    template, _name, _uptodate = app.jinja_env.loader.get_source(app.jinja_env, BUILD_TEMPLATE)
    return _build_mark(app.static_folder, template)


@functools.cache
def _build_mark(static_folder: str, template: str) -> str:
    mark = hashlib.blake2b(template.encode(), digest_size=6)
    for name in BUILD_FILES:
        mark.update((Path(static_folder) / name).read_bytes())
    return mark.hexdigest()


def headlines(shot: Snapshot) -> list[DatedStatement]:
    shown = ([shot.featured] if shot.featured else []) + list(shot.latest)
    return shown[:HEADLINES]


def board_view(query: EmbedQuery, fragment: bool):
    def view(shot: Snapshot) -> tuple[str, dt.datetime]:
        clocks, counters = query.pick_clocks(shot), query.pick_counters(shot)
        context = dict(
            shot=shot,
            query=query,
            clocks=clocks,
            counters=counters,  # each sets its number, phrase and note apart
            headlines=headlines(shot),
            board_url=url_for("board.board") + "?" + query.query_string(),
            build=build_mark(),
        )
        if fragment:
            html = render_block("board/board.html", "live", **context)
        else:
            html = render_page("board/board.html", **context)
        # The block shows the date line too, whatever clocks and counters it shows.
        return html, min(shot.next_change_of(clocks, counters), shot.date.next_change)

    return view


def board_key(query: EmbedQuery, fragment: bool) -> str:
    return keys.board(query.query_string(), fragment)


def usual_boards(_content: SiteContent):
    """The board showing everything, in each language, as a page and as its live block."""
    for locale in locales():
        query = EmbedQuery(clocks=None, counters=None, locale=locale)
        for fragment in (False, True):
            yield board_key(query, fragment), board_view(query, fragment), query.locale


@bp.get("/board")
def board():
    # Served as the widget is, from the widget's parameters with the board's own.
    response = widget_response({**WIDGET.defaults, **BOARD.read()}, board_key, board_view)
    response.headers["X-Robots-Tag"] = "noindex"
    return response
