"""/api/v1: JSON, apart from the HTML routes."""

from __future__ import annotations

import datetime as dt
import json

from flask import Blueprint, jsonify, request

from dashboard import timecalc
from dashboard.captions import LOCALES
from dashboard.live import LivePages, live_pages
from dashboard.responses import cached_response
from dashboard.snapshot import Snapshot, snapshot_json

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def snapshot_view(shot: Snapshot) -> tuple[str, dt.datetime]:
    return json.dumps(snapshot_json(shot), ensure_ascii=False), shot.next_change


def register_views(pages: LivePages) -> None:
    for locale in LOCALES:
        pages.register(f"snapshot.json:{locale}", snapshot_view, locale)


class BadRequest(ValueError):
    pass


@bp.errorhandler(BadRequest)
def bad_request(error: BadRequest):
    return jsonify(error=str(error)), 400


@bp.get("/snapshot")
def get_snapshot():
    at_text = request.args.get("at")
    locale = request.args.get("lang")
    if locale is not None and locale not in LOCALES:
        raise BadRequest(f"'lang': {locale!r} is not supported; use one of {', '.join(LOCALES)}")
    if at_text is None:
        now = timecalc.utcnow()
        locale = locale or live_pages().content(now).locale
        rendered = live_pages().get(f"snapshot.json:{locale}", now)
        return cached_response(rendered, now, "application/json")
    try:
        at = timecalc.parse_instant(at_text)
    except timecalc.TimeError as error:
        raise BadRequest(f"'at': {error}") from None
    # A chosen instant is never cached: it is for previews, tests and history.
    return jsonify(snapshot_json(live_pages().snapshot(at, locale)))
