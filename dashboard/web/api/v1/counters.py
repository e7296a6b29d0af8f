"""/api/v1/counters: each counter as the snapshot reads it now, with its runs and its record;
and resets, with a bearer token, as the statements' writes take one."""

from __future__ import annotations

import datetime as dt

from flask import jsonify, url_for

from dashboard.cache import keys
from dashboard.cache.live import live_pages
from dashboard.content import resets
from dashboard.content.schema import FieldErrors
from dashboard.core import timecalc
from dashboard.core.runs import RunReading
from dashboard.core.snapshot import CounterReading, Snapshot
from dashboard.i18n.languages import LANGUAGES
from dashboard.web import params
from dashboard.web.api.v1.blueprint import ApiError, bp
from dashboard.web.api.v1.snapshot import milestone_json
from dashboard.web.api.v1.statements import _cached_json, _json_object, token_required

# `at`: as /api/v1/snapshot, any instant (never cached); without it, now (cached per minute).
LIST = params.Query("api.list_counters", at=params.Instant(), lang=params.OneOf(LANGUAGES))
ONE = params.Query("api.get_counter", at=params.Instant(), lang=params.OneOf(LANGUAGES))


def _day(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def run_json(run: RunReading) -> dict:
    return {
        "start": _day(run.start),
        "end": _day(run.end),
        "days": run.days,
        "reason": run.reason,
        "statement": run.statement or None,
        "statement_url": url_for("public.statement", slug=run.statement)
        if run.statement_title
        else None,
    }


def counter_json(counter: CounterReading) -> dict:
    """A counter's reading: what the page shows, then its runs (oldest first; the current one
    last, with no end) and its record."""
    record = counter.record
    return {
        "slug": counter.slug,
        "days": counter.days,
        "text": counter.text,
        "caption": counter.caption,
        "since": counter.since.isoformat(),
        "timezone": counter.timezone,
        "event": counter.event,
        "note": counter.note,
        "next_change": timecalc.format_instant(counter.next_change),
        "url": url_for("public.counter", slug=counter.slug),
        "display": counter.display,
        "badge": counter.badge,
        **({"working_days": counter.working_days} if counter.working_days is not None else {}),
        "runs": [run_json(run) for run in (*counter.runs, counter.current)],
        "record": {
            "days": record.days,
            "start": _day(record.start),
            "end": _day(record.end),
            "current": record.current,
            "text": record.text,
        },
        "milestones": {
            "today": [milestone_json(m) for m in counter.milestones_today],
            "past": [milestone_json(m) for m in counter.past_milestones],
            "next": [milestone_json(m) for m in counter.next_milestones],
        },
    }


def _reading(shot: Snapshot, slug: str) -> CounterReading:
    found = shot.counter(slug)
    if found is None:
        raise ApiError(404, f"there is no counter {slug!r}")
    return found


def _answer(values: dict, key: str, payload_at):
    at, locale = values["at"], values["lang"]
    if at is not None:  # a chosen instant is never cached: previews, tests and history
        return jsonify(payload_at(live_pages().snapshot(at, locale)))
    return _cached_json(key, payload_at, locale)


@bp.get("/counters")
def list_counters():
    values = LIST.read()

    def payload_at(shot: Snapshot) -> dict:
        return {"counters": [counter_json(c) for c in shot.counters], "locale": shot.locale}

    return _answer(values, keys.api_counters(values["lang"] or ""), payload_at)


@bp.get("/counters/<slug>")
def get_counter(slug: str):
    values = ONE.read()

    def payload_at(shot: Snapshot) -> dict:
        return {**counter_json(_reading(shot, slug)), "locale": shot.locale}

    return _answer(values, keys.api_counter(slug, values["lang"] or ""), payload_at)


@bp.post("/counters/<slug>/resets")
@token_required
def reset_counter(slug: str):
    """{"on": "2026-12-01", "reason": "…", "statement": "<slug>"}: 201 with the counter as it
    reads now; 422 naming each bad field, with nothing written."""
    data = _json_object()
    unknown = sorted(set(data) - {"on", "reason", "statement"})
    if unknown:
        fields = {key: [f"unknown key '{key}' (allowed: on, reason, statement)"] for key in unknown}
        raise ApiError(422, f"invalid {', '.join(repr(k) for k in unknown)}", fields)
    try:
        resets.reset(slug, data.get("on"), data.get("reason", ""), data.get("statement") or None)
    except resets.UnknownCounter as error:
        raise ApiError(404, str(error)) from None
    except FieldErrors as error:
        named = ", ".join(f"'{key}'" for key in error.fields)
        raise ApiError(422, f"invalid {named}: {error}", error.fields) from None
    shot = live_pages().snapshot(timecalc.utcnow())
    location = url_for(".get_counter", slug=slug)
    return jsonify(counter_json(_reading(shot, slug))), 201, {"Location": location}
