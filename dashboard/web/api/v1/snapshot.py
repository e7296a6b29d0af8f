"""/api/v1/snapshot: what the page shows, as JSON (now, cached per minute; or at any instant)."""

from __future__ import annotations

import datetime as dt
import json

from flask import jsonify

from dashboard.cache import keys
from dashboard.cache.http import cached_response
from dashboard.cache.live import live_pages
from dashboard.core import timecalc
from dashboard.core.readings import MilestoneReading
from dashboard.core.snapshot import DatedStatement, SiteContent, Snapshot
from dashboard.i18n.languages import LANGUAGES, locales
from dashboard.web import params
from dashboard.web.api.v1.blueprint import bp


def snapshot_view(shot: Snapshot) -> tuple[str, dt.datetime]:
    return json.dumps(snapshot_json(shot), ensure_ascii=False), shot.next_change


def usual_snapshots(_content: SiteContent):
    for locale in locales():
        yield keys.snapshot_json(locale), snapshot_view, locale


SNAPSHOT = params.Query("api.get_snapshot", at=params.Instant(), lang=params.OneOf(LANGUAGES))


@bp.get("/snapshot")
def get_snapshot():
    values = SNAPSHOT.read()
    at, locale = values["at"], values["lang"]
    if at is None:
        now = timecalc.utcnow()
        locale = locale or live_pages().content(now).locale
        rendered = live_pages().get(keys.snapshot_json(locale), now, snapshot_view, locale)
        return cached_response(rendered, now, "application/json")
    # A chosen instant is never cached: it is for previews, tests and history.
    return jsonify(snapshot_json(live_pages().snapshot(at, locale)))


def snapshot_json(shot: Snapshot) -> dict:
    fmt = timecalc.format_instant
    return {
        "at": fmt(shot.at),
        "locale": shot.locale,
        "title": shot.title,
        "contact": shot.contact,
        "date": {"text": shot.date.text, "timezone": shot.date.timezone, "iso": shot.date.iso},
        "clocks": [
            {"label": c.label, "timezone": c.timezone, "time": c.time, "utc_offset": c.utc_offset}
            for c in shot.clocks
        ],
        "counters": [
            {
                "slug": c.slug,
                "since": c.since.isoformat(),
                "timezone": c.timezone,
                "days": c.days,
                "text": c.text,
                "display": c.display,
                "badge": c.badge,
                **({"working_days": c.working_days} if c.working_days is not None else {}),
                "milestones_today": [milestone_json(m) for m in c.milestones_today],
                "next_milestones": [milestone_json(m) for m in c.next_milestones],
                "next_change": fmt(c.next_change),
            }
            for c in shot.counters
        ],
        "featured": _statement_json(shot.featured, body=True) if shot.featured else None,
        "latest": [_statement_json(s) for s in shot.latest],
        "next_change": fmt(shot.next_change),
    }


def milestone_json(milestone: MilestoneReading) -> dict:
    return {
        "kind": milestone.kind,
        "value": milestone.value,
        "date": milestone.date.isoformat(),
        "text": milestone.text,
    }


def _statement_json(statement: DatedStatement, body: bool = False) -> dict:
    item = statement.item
    data = {
        "slug": item.slug,
        "title": item.title,
        "published": timecalc.format_instant(item.published),
        "date": statement.date_iso,
        "language": item.language,
        "summary": item.summary,
    }
    if body:
        data["body"] = item.body
        data["body_html"] = item.body_html  # rendered and sanitised when written
    return data
