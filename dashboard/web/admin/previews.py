"""/admin/statements/<id>/previews: secret links that show a scheduled statement to
journalists before its instant. A new link is shown once, in the answer to the POST that made
it; the list re-renders itself (admin/_preview_links.html) under htmx."""

from __future__ import annotations

from flask import abort, render_template, request

from dashboard import config
from dashboard.content import models, previews
from dashboard.content.store import current_store
from dashboard.core.numbers import whole_number
from dashboard.i18n.interface import _
from dashboard.web.admin import statements
from dashboard.web.admin.blueprint import bp, find_row, htmx


def _answer(row: models.Statement, status: int = 200, **context):
    part = statements.preview_part(row, **context)
    if htmx():
        return render_template("admin/_preview_links.html", **part), status
    return statements.edit_page(row, preview=part, status=status)


@bp.post("/statements/<int:statement_id>/previews")
def preview_create(statement_id: int):
    row = find_row(models.Statement, statement_id, "statement")
    days = whole_number(request.form.get("days", ""), 1, config.PREVIEW_MAX_DAYS)
    if days is None:
        message = _("'days' must be a whole number from 1 to %(max)s.", max=config.PREVIEW_MAX_DAYS)
        return _answer(row, 422, error=message)
    try:
        token = previews.create(current_store(), row.id, days, request.form.get("note", ""))
    except previews.PreviewError as error:
        return _answer(row, 422, error=str(error))
    return _answer(row, made=token)


@bp.post("/statements/<int:statement_id>/previews/<int:link_id>/revoke")
def preview_revoke(statement_id: int, link_id: int):
    row = find_row(models.Statement, statement_id, "statement")
    link = previews.revoke(current_store(), row.id, link_id)
    if link is None:
        abort(404, description=_("There is no preview link %(id)s for this statement.", id=link_id))
    return _answer(row)
