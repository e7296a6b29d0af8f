"""What counters and clocks share in the admin: both are lists in page order, moved up and
down, each row edited in a form whose errors come back beside its fields."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

import sqlalchemy as sa
from flask import abort, render_template, request

from dashboard.content import editing
from dashboard.content.sitefile import FieldErrors
from dashboard.content.store import current_store
from dashboard.i18n.languages import locales
from dashboard.i18n.languages import names as language_names
from dashboard.web.admin.blueprint import current_site, done, field_errors, form_page
from dashboard.web.admin.blueprint import list_or_redirect as _list_or_redirect


@dataclasses.dataclass(frozen=True)
class Kind:
    plural: str  # "counters": the URL, the endpoints' prefix
    name: str  # "counter": the templates' names and the messages
    key: str  # "slug": what a message names a row by
    model: type
    # The form's values, and the problems found before the checks (a date that is no date).
    read_form: Callable[[], tuple[dict, dict]]
    row_values: Callable[[object | None], dict]
    save: Callable[[dict, int | None], object]
    check: Callable[[dict], dict]


def rows(kind: Kind) -> list:
    model = kind.model
    with current_store().session() as db:
        return list(db.scalars(sa.select(model).order_by(model.position, model.id)))


def list_page(kind: Kind):
    return render_template(f"admin/{kind.plural}.html", kind=kind.plural, rows=rows(kind))


def find(kind: Kind, row_id: int):
    with current_store().session() as db:
        row = db.get(kind.model, row_id)
    if row is None:
        abort(404, description=f"There is no {kind.name} {row_id}.")
    return row


def form(kind: Kind, row, values=None, errors=None, status=200):
    values = dict(values if values is not None else kind.row_values(row))
    if isinstance(values.get("since"), dt.date):
        values["since"] = values["since"].isoformat()
    values.setdefault("since", request.form.get("since", ""))
    return form_page(
        f"admin/{kind.name}_form.html",
        f"admin/_{kind.name}_form.html",
        status,
        kind=kind.plural,
        row=row,
        values=values,
        errors=errors or {},
        site=current_site(),
        locales=list(locales()),
        languages=language_names(),
    )


def new_or_edit(kind: Kind, row):
    if request.method != "POST":
        return form(kind, row)
    values, early = kind.read_form()
    if early:  # report these with every other field's problems, and write nothing
        errors = dict(early)
        try:
            kind.check(values)
        except FieldErrors as error:
            errors = {**error.fields, **early}
        return form(kind, row, values, errors, 422)
    try:
        saved = kind.save(values, row.id if row else None)
    except (FieldErrors, editing.Conflict) as error:
        return form(kind, row, values, field_errors(error), 422)
    label = getattr(saved, kind.key)
    return done(f"admin.{kind.plural}", f"{kind.name.capitalize()} “{label}” saved.")


def list_or_redirect(kind: Kind, message: str = ""):
    def context() -> dict:
        return {"kind": kind.plural, "rows": rows(kind)}

    return _list_or_redirect(f"admin.{kind.plural}", "admin/_order_list.html", context, message)


def delete(kind: Kind, row_id: int):
    row = find(kind, row_id)
    editing.delete_row(kind.model, row.id)
    return list_or_redirect(kind, f"{kind.name.capitalize()} “{getattr(row, kind.key)}” deleted.")


def move(kind: Kind, row_id: int):
    row = find(kind, row_id)
    steps = -1 if request.form.get("direction") == "up" else 1
    editing.move(kind.model, row.id, steps)
    return list_or_redirect(kind)
