"""/admin/audit: the audit log, newest first, filtered by who and by what, a page at a time."""

from __future__ import annotations

from flask import render_template

from dashboard import config
from dashboard.content import audit
from dashboard.content.store import current_store
from dashboard.web import params
from dashboard.web.admin.blueprint import bp

LOG = params.Query(
    "admin.audit_log",
    actor=params.Text(2100),
    action=params.Text(50, pattern=r"[a-z.]+", example="statement.edit"),
    before=params.Whole(1, params.MAX_ROW_ID),
)


@bp.get("/audit")
def audit_log():
    wanted = LOG.read()
    actor, action = wanted["actor"] or "", wanted["action"] or ""
    with current_store().session() as db:
        rows = audit.entries(db, actor, action, config.ADMIN_PER_PAGE + 1, wanted["before"])
        known = audit.actions(db)
    more = len(rows) > config.ADMIN_PER_PAGE
    rows = rows[: config.ADMIN_PER_PAGE]
    return render_template(
        "admin/audit.html",
        rows=rows,
        actor=actor,
        action=action,
        actions=known,
        before=rows[-1].id if more else None,
    )
