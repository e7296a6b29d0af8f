"""/admin/statements/<id>/history: a statement's former versions, a diff of any two, and
restoring one (an edit like any other: it keeps a revision and is audited)."""

from __future__ import annotations

from flask import abort, render_template

from dashboard.content import editing, models, revisions
from dashboard.content.store import current_store
from dashboard.i18n.interface import _
from dashboard.web import params
from dashboard.web.admin.blueprint import bp, done, find_row

# A version by number; 0 is the statement as it stands now.
VERSION = params.Whole(0, params.MAX_ROW_ID)
HISTORY = params.Query("admin.statement_history", old=VERSION, new=VERSION)


def _versions(row: models.Statement, kept: list[models.StatementRevision]) -> dict[int, dict]:
    return {0: revisions.fields_of(row), **{r.number: r.fields for r in kept}}


@bp.get("/statements/<int:statement_id>/history")
def statement_history(statement_id: int):
    row = find_row(models.Statement, statement_id, "statement")
    with current_store().session() as db:
        kept = revisions.history(db, row.id)
    wanted = HISTORY.read()
    versions = _versions(row, kept)
    old = wanted["old"] if wanted["old"] is not None else (kept[0].number if kept else 0)
    new = wanted["new"] if wanted["new"] is not None else 0
    for number in (old, new):
        if number not in versions:
            abort(404, description=f"This statement has no version {number}.")
    shown = revisions.diff(versions[old], versions[new], _name(old), _name(new))
    return render_template("admin/history.html", row=row, kept=kept, old=old, new=new, diff=shown)


def _name(number: int) -> str:
    return "now" if number == 0 else f"version {number}"


@bp.post("/statements/<int:statement_id>/history/<int:number>/restore")
def statement_restore(statement_id: int, number: int):
    row = find_row(models.Statement, statement_id, "statement")
    try:
        saved = editing.restore_statement(row.id, number)
    except editing.NotFound:
        abort(404, description=f"This statement has no version {number}.")
    except (editing.FieldErrors, editing.Conflict) as error:
        abort(
            409,
            description=_(
                "Version %(number)s cannot be restored: %(problem)s", number=number, problem=error
            ),
        )
    message = _("Version %(number)s restored.", number=number)
    return done("admin.statement_history", message, statement_id=saved.id)
