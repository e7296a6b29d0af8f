"""/admin/counters: the page's day counters, in page order."""

from __future__ import annotations

from dashboard.content import editing, models
from dashboard.content.schema import COUNTER
from dashboard.web.admin import ordered
from dashboard.web.admin.blueprint import bp

COUNTERS = ordered.Kind(
    plural="counters", schema=COUNTER, model=models.Counter, save=editing.save_counter
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
