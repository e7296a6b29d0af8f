"""What counters and clocks share in the admin: both are lists in page order, moved up and
down, each row edited in a form whose errors come back beside its fields."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import sqlalchemy as sa
from flask import abort, render_template, request, url_for

from dashboard.content import editing
from dashboard.content.schema import Entity
from dashboard.content.store import current_store
from dashboard.web.admin.blueprint import done, entity_form, save_posted
from dashboard.web.admin.blueprint import list_or_redirect as _list_or_redirect


@dataclasses.dataclass(frozen=True)
class Kind:
    plural: str  # "counters": the URL, the endpoints' prefix
    schema: Entity  # its name ("counter") names the templates; its key names a row in messages
    model: type
    save: Callable[[dict, int | None], object]

    @property
    def name(self) -> str:
        return self.schema.name


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
    if row is None:
        action = url_for(f"admin.{kind.plural}_new")
    else:
        action = url_for(f"admin.{kind.plural}_edit", row_id=row.id)
    page = f"admin/{kind.name}_form.html"
    return entity_form(page, kind.schema, row, action, values, errors, status)


def new_or_edit(kind: Kind, row):
    if request.method != "POST":
        return form(kind, row)
    row_id = row.id if row else None
    saved, values, errors = save_posted(kind.schema, lambda values: kind.save(values, row_id))
    if saved is None:
        return form(kind, row, values, errors, 422)
    label = getattr(saved, kind.schema.key)
    return done(f"admin.{kind.plural}", f"{kind.name.capitalize()} “{label}” saved.")


def list_or_redirect(kind: Kind, message: str = ""):
    def context() -> dict:
        return {"kind": kind.plural, "rows": rows(kind)}

    return _list_or_redirect(f"admin.{kind.plural}", "admin/_order_list.html", context, message)


def delete(kind: Kind, row_id: int):
    row = find(kind, row_id)
    editing.delete_row(kind.model, row.id)
    label = getattr(row, kind.schema.key)
    return list_or_redirect(kind, f"{kind.name.capitalize()} “{label}” deleted.")


def move(kind: Kind, row_id: int):
    row = find(kind, row_id)
    steps = -1 if request.form.get("direction") == "up" else 1
    editing.move(kind.model, row.id, steps)
    return list_or_redirect(kind)
