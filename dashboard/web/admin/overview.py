"""/admin: what there is, and which feeds have a problem."""

from __future__ import annotations

from flask import render_template

from dashboard.content import store
from dashboard.content.store import current_store
from dashboard.web.admin.blueprint import bp


@bp.get("/")
def index():
    with current_store().session() as db:
        counts = store.content_counts(db)
        failing = store.failing_feeds(db)
        site = store.site_row(db)
    return render_template("admin/index.html", counts=counts, failing=failing, site=site)
