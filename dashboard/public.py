"""The public HTML: the page, its live fragment, the archive and one page per statement."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for

from dashboard import i18n, store, timecalc
from dashboard.captions import LOCALES
from dashboard.live import LivePages, Rendered, live_pages
from dashboard.responses import cached_response
from dashboard.snapshot import Snapshot, dated

bp = Blueprint("public", __name__)


def page_view(shot: Snapshot) -> tuple[str, dt.datetime]:
    return render_template("index.html", shot=shot), shot.next_change


def live_view(shot: Snapshot) -> tuple[str, dt.datetime]:
    return render_template("_live.html", shot=shot), shot.next_change


def register_views(pages: LivePages) -> None:
    for locale in LOCALES:
        pages.register(f"page:{locale}", page_view, locale)
        pages.register(f"live:{locale}", live_view, locale)


def _respond(rendered: Rendered, now: dt.datetime, choice: i18n.Choice, hx: bool) -> Response:
    vary = ["HX-Request"] if request.endpoint == "public.index" else []
    if not choice.explicit:  # the language came from the cookie or Accept-Language
        vary += ["Accept-Language", "Cookie"]
    response = cached_response(rendered, now, vary=tuple(vary))
    asked_here = choice.explicit and not hx and request.cookies.get(i18n.COOKIE) != choice.locale
    if asked_here:  # remember a reader's explicit choice for their next visit
        response.set_cookie(i18n.COOKIE, choice.locale, max_age=365 * 86400, samesite="Lax")
    return response


def _choice(now: dt.datetime) -> i18n.Choice:
    return i18n.choose(request, live_pages().content(now).locale)


@bp.get("/")
def index():
    now = timecalc.utcnow()
    choice = _choice(now)
    # One URL, two representations: htmx asks for the live block only.
    hx = request.headers.get("HX-Request") == "true"
    key = f"{'live' if hx else 'page'}:{choice.locale}"
    return _respond(live_pages().get(key, now), now, choice, hx)


@bp.get("/statements")
def archive():
    now = timecalc.utcnow()
    choice = _choice(now)
    before_text = request.args.get("before", "")
    before = parse_cursor(before_text) if before_text else None
    language = request.args.get("language", "")
    per_page = _per_page()

    def view(shot: Snapshot) -> tuple[str, dt.datetime]:
        with _store().session() as session:
            items, cursor = store.statements_page(session, per_page, before, language or None)
        older = None
        if cursor:
            older = url_for(
                "public.archive", before=format_cursor(cursor), language=language or None
            )
        html = render_template(
            "statements.html",
            shot=shot,
            statements=[dated(item, shot.date.timezone) for item in items],
            older=older,
            first_page=before is None,
            language=language,
            languages=live_pages().content(shot.minute).languages,  # read once a revision
        )
        return html, shot.next_change

    key = f"archive:{choice.locale}:{language}:{before_text}:{per_page}"
    rendered = live_pages().get(key, now, view=view, locale=choice.locale)
    return _respond(rendered, now, choice, hx=False)


@bp.get("/statements/<slug>")
def statement(slug: str):
    now = timecalc.utcnow()
    choice = _choice(now)

    def view(shot: Snapshot) -> tuple[str, dt.datetime]:
        with _store().session() as session:
            item = store.statement_by_slug(session, slug)
        if item is None:
            abort(404, description=f"There is no statement called {slug!r}.")
        html = render_template(
            "statement.html", shot=shot, statement=dated(item, shot.date.timezone)
        )
        return html, shot.next_change

    rendered = live_pages().get(f"statement:{choice.locale}:{slug}", now, view, choice.locale)
    return _respond(rendered, now, choice, hx=False)


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
