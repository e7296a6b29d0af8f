"""The public HTML: the page, its live fragment, the archive and one page per statement."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, current_app, render_template, request, url_for

from dashboard import store, timecalc
from dashboard.live import LivePages, live_pages
from dashboard.responses import cached_response
from dashboard.snapshot import Snapshot, dated

bp = Blueprint("public", __name__)


def page_view(shot: Snapshot) -> tuple[str, dt.datetime]:
    return render_template("index.html", shot=shot), shot.next_change


def live_view(shot: Snapshot) -> tuple[str, dt.datetime]:
    return render_template("_live.html", shot=shot), shot.next_change


def register_views(pages: LivePages) -> None:
    pages.register("page", page_view)
    pages.register("live", live_view)


@bp.get("/")
def index():
    now = timecalc.utcnow()
    # One URL, two representations: htmx asks for the live block only.
    key = "live" if request.headers.get("HX-Request") == "true" else "page"
    return cached_response(live_pages().get(key, now), now, vary_hx=True)


@bp.get("/statements")
def archive():
    now = timecalc.utcnow()
    before_text = request.args.get("before", "")
    before = parse_cursor(before_text) if before_text else None
    per_page = _per_page()

    def view(shot: Snapshot) -> tuple[str, dt.datetime]:
        with _store().session() as session:
            items, cursor = store.statements_page(session, per_page, before)
        older = url_for("public.archive", before=format_cursor(cursor)) if cursor else None
        html = render_template(
            "statements.html",
            shot=shot,
            statements=[dated(item, shot.date.timezone) for item in items],
            older=older,
            first_page=before is None,
        )
        return html, shot.next_change

    key = f"archive:{before_text}:{per_page}"
    return cached_response(live_pages().get(key, now, view=view), now)


@bp.get("/statements/<slug>")
def statement(slug: str):
    now = timecalc.utcnow()

    def view(shot: Snapshot) -> tuple[str, dt.datetime]:
        with _store().session() as session:
            item = store.statement_by_slug(session, slug)
        if item is None:
            abort(404, description=f"There is no statement called {slug!r}.")
        html = render_template(
            "statement.html", shot=shot, statement=dated(item, shot.date.timezone)
        )
        return html, shot.next_change

    return cached_response(live_pages().get(f"statement:{slug}", now, view=view), now)


def _per_page() -> int:
    return int(current_app.config["STATEMENTS_PER_PAGE"])


def _store() -> store.Store:
    return current_app.extensions["dashboard.store"]


def format_cursor(cursor: tuple[dt.datetime, int]) -> str:
    published, row_id = cursor
    return f"{timecalc.format_instant(published)}_{row_id}"


class BadCursor(ValueError):
    pass


def parse_cursor(text: str) -> tuple[dt.datetime, int]:
    instant, _, row_id = text.rpartition("_")
    try:
        return timecalc.parse_instant(instant), int(row_id)
    except (timecalc.TimeError, ValueError):
        raise BadCursor(
            f"'before' must look like 2020-01-16T00:00:00Z_42 (as the 'older' link gives), "
            f"not {text!r}"
        ) from None
