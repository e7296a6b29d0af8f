"""/admin/clocks: the page's clocks, in page order."""

from __future__ import annotations

from dashboard.content import editing, models
from dashboard.content.schema import CLOCK
from dashboard.web.admin import ordered
from dashboard.web.admin.blueprint import bp

CLOCKS = ordered.Kind(plural="clocks", schema=CLOCK, model=models.Clock, save=editing.save_clock)


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
