"""/admin/counters/<id>/reset: reset a counter (its current run ends on a date, with a
reason and the statement that explains it) and see its earlier runs. The reset is the one
the API and the CLI make (content/resets.py); the form asks for a tick to confirm, so that
it works, and is deliberate, without JavaScript."""

from __future__ import annotations

from flask import request, url_for

from dashboard.content import models, resets
from dashboard.content.schema import FieldErrors
from dashboard.content.store import current_store
from dashboard.core import timecalc
from dashboard.core.runs import RunDef, read_runs
from dashboard.i18n import interface
from dashboard.i18n.interface import _
from dashboard.web.admin.blueprint import bp, done, field_errors, find_row, form_page


def _page(row: models.Counter, values: dict, errors: dict, status: int = 200):
    with current_store().session() as db:
        stored = resets.runs_of(db, row.id)
        site = db.get(models.Site, 1)
    zone_name = row.timezone or site.timezone
    today = timecalc.local_date(timecalc.utcnow(), zone_name)
    earlier = read_runs(stored_defs(stored), interface.locale())
    return form_page(
        "admin/counter_reset.html",
        "admin/_counter_reset_form.html",
        status,
        row=row,
        runs=list(reversed(earlier)),
        values=values,
        errors=errors,
        today=today,
        zone_name=zone_name,
        current_days=timecalc.days_between(row.since, today),
        action=url_for("admin.counter_reset", row_id=row.id),
    )


def stored_defs(stored: list[models.CounterRun]) -> list[RunDef]:
    return [RunDef(r.start, r.end, r.reason, r.statement) for r in stored]


def _refuse_unconfirmed(slug: str, on: str, reason: str, statement: str | None) -> None:
    """FieldErrors: the missing tick, with every other field's problems (checked by a reset
    that is rolled back, so nothing is written)."""
    problems = {"confirm": [_("Tick the box to confirm the reset.")]}
    with current_store().session() as db:
        try:
            resets.reset_counter(db, slug, on, reason, statement)
        except FieldErrors as error:
            problems = {**error.fields, **problems}
        finally:
            db.rollback()
    raise FieldErrors(problems)


@bp.route("/counters/<int:row_id>/reset", methods=["GET", "POST"])
def counter_reset(row_id: int):
    row = find_row(models.Counter, row_id, _("counter"))
    if request.method != "POST":
        return _page(row, {}, {})
    values = {key: request.form.get(key, "").strip() for key in ("on", "reason", "statement")}
    statement = values["statement"] or None
    try:
        if not request.form.get("confirm"):
            _refuse_unconfirmed(row.slug, values["on"], values["reason"], statement)
        resets.reset(row.slug, values["on"], values["reason"], statement)
    except FieldErrors as error:
        return _page(row, values, field_errors(error), 422)
    message = _("Counter “%(label)s” reset on %(date)s.", label=row.slug, date=values["on"])
    return done("admin.counter_reset", message, row_id=row.id)
