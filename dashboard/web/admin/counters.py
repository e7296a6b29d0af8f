"""/admin/counters: the page's day counters, in page order."""

from __future__ import annotations

import datetime as dt

from flask import request

from dashboard.content import editing, models
from dashboard.content.sitefile import checks
from dashboard.i18n.languages import locales
from dashboard.i18n.languages import names as language_names
from dashboard.web.admin import ordered
from dashboard.web.admin.blueprint import bp, current_site


def read_form() -> tuple[dict, dict]:
    form = request.form
    values: dict = {
        "slug": form.get("slug", ""),
        "event": form.get("event", ""),
        "note": form.get("note", ""),
        "timezone": form.get("timezone", ""),
    }
    early: dict[str, list[str]] = {}
    since = form.get("since", "").strip()
    if since:
        try:
            values["since"] = dt.date.fromisoformat(since)
        except ValueError:
            early["since"] = [f"{since!r} is not a date such as 2018-03-04"]
    translations = {}
    for locale in locales():
        event = form.get(f"translations-{locale}-event", "").strip()
        note = form.get(f"translations-{locale}-note", "").strip()
        if note and not event:
            early.setdefault("translations", []).append(
                f"{language_names().get(locale, locale)}: give the event as well as the note"
            )
        elif event:
            translations[locale] = {"event": event, **({"note": note} if note else {})}
    if translations:
        values["translations"] = translations
    return values, early


def row_values(row) -> dict:
    if row is None:
        return {}
    return {
        "slug": row.slug,
        "since": row.since.isoformat(),
        "timezone": row.timezone or "",
        "event": row.event,
        "note": row.note,
        "translations": row.translations or {},
    }


COUNTERS = ordered.Kind(
    plural="counters",
    name="counter",
    key="slug",
    model=models.Counter,
    read_form=read_form,
    row_values=row_values,
    save=editing.save_counter,
    check=lambda values: checks.check_counter(values, current_site().timezone),
)


@bp.get("/counters")
def counters():
    return ordered.list_page(COUNTERS)


@bp.route("/counters/new", methods=["GET", "POST"])
def counters_new():
    return ordered.new_or_edit(COUNTERS, None)


@bp.route("/counters/<int:row_id>", methods=["GET", "POST"])
def counters_edit(row_id: int):
    return ordered.new_or_edit(COUNTERS, ordered.find(COUNTERS, row_id))


@bp.post("/counters/<int:row_id>/delete")
def counters_delete(row_id: int):
    return ordered.delete(COUNTERS, row_id)


@bp.post("/counters/<int:row_id>/move")
def counters_move(row_id: int):
    return ordered.move(COUNTERS, row_id)
