"""/admin/clocks: the page's clocks, in page order."""

from __future__ import annotations

from flask import request

from dashboard.content import editing, models
from dashboard.content.sitefile import checks
from dashboard.web.admin import ordered
from dashboard.web.admin.blueprint import bp


def read_form() -> tuple[dict, dict]:
    form = request.form
    values = {
        "label": form.get("label", ""),
        "timezone": form.get("timezone", ""),
        "hour12": "hour12" in form,
    }
    return values, {}


def row_values(row) -> dict:
    if row is None:
        return {"hour12": False}
    return {"label": row.label, "timezone": row.timezone, "hour12": row.hour12}


CLOCKS = ordered.Kind(
    plural="clocks",
    name="clock",
    key="label",
    model=models.Clock,
    read_form=read_form,
    row_values=row_values,
    save=editing.save_clock,
    check=checks.check_clock,
)


@bp.get("/clocks")
def clocks():
    return ordered.list_page(CLOCKS)


@bp.route("/clocks/new", methods=["GET", "POST"])
def clocks_new():
    return ordered.new_or_edit(CLOCKS, None)


@bp.route("/clocks/<int:row_id>", methods=["GET", "POST"])
def clocks_edit(row_id: int):
    return ordered.new_or_edit(CLOCKS, ordered.find(CLOCKS, row_id))


@bp.post("/clocks/<int:row_id>/delete")
def clocks_delete(row_id: int):
    return ordered.delete(CLOCKS, row_id)


@bp.post("/clocks/<int:row_id>/move")
def clocks_move(row_id: int):
    return ordered.move(CLOCKS, row_id)
