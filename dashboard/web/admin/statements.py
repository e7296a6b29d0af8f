"""/admin/statements: list, write, edit and delete statements."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, url_for

from dashboard import config
from dashboard.content import editing, models, store
from dashboard.content.sitefile import FieldErrors
from dashboard.content.store import current_store
from dashboard.core import timecalc
from dashboard.core.snapshot import dated
from dashboard.i18n.languages import names as language_names
from dashboard.web.admin.blueprint import (
    bp,
    current_site,
    done,
    field_errors,
    form_page,
    htmx,
)


@bp.get("/statements")
def statements():
    page = max(request.args.get("page", 1, type=int), 1)
    with current_store().session() as db:
        site = editing.site_settings(db)
        rows = db.scalars(
            sa.select(models.Statement)
            .order_by(models.Statement.published.desc(), models.Statement.id.desc())
            .offset((page - 1) * config.ADMIN_PER_PAGE)
            .limit(config.ADMIN_PER_PAGE + 1)
        ).all()
    more = len(rows) > config.ADMIN_PER_PAGE
    listed = [
        (row, dated(store.statement_item(row), site.timezone))
        for row in rows[: config.ADMIN_PER_PAGE]
    ]
    return render_template("admin/statements.html", rows=listed, page=page, more=more, site=site)


def _statement_form_values(site: models.Site) -> tuple[dict, dict]:
    form = request.form
    values = {
        "slug": form.get("slug", ""),
        "title": form.get("title", ""),
        "summary": form.get("summary", ""),
        "body": form.get("body", ""),
        "featured": "featured" in form,
        "draft": form.get("status", "published") == "draft",
        "source_url": form.get("source_url", "").strip(),
        "language": form.get("language", "").strip(),
    }
    early: dict[str, list[str]] = {}
    published = form.get("published", "").strip()
    if published:
        try:
            values["published"] = editing.parse_published(published, site.timezone, True)
        except FieldErrors as error:
            early.update(error.fields)
    return values, early


def _statement_form(row: models.Statement | None, site, values=None, errors=None, status=200):
    if values is None:
        values = editing.statement_values(row) if row else {
            "published": timecalc.utcnow(), "language": site.locale, "draft": True,
        }  # fmt: skip
    shown = dict(values)
    if isinstance(shown.get("published"), dt.datetime):
        shown["published"] = timecalc.local_input_text(shown["published"], site.timezone)
    elif isinstance(shown.get("published"), dt.date):
        shown["published"] = f"{shown['published'].isoformat()}T00:00"
    shown["published"] = request.form.get("published", shown.get("published", ""))
    return form_page(
        "admin/statement_form.html",
        "admin/_statement_form.html",
        status,
        row=row,
        values=shown,
        errors=errors or {},
        site=site,
        languages=language_names(),
    )


def _save_statement(row: models.Statement | None):
    site = current_site()
    values, early = _statement_form_values(site)
    try:
        # A published value that could not be read is left out, so the checks (of every
        # field, all reported together) fail on it and nothing is written.
        saved = editing.save_statement(values, row.id if row else None)
    except (FieldErrors, editing.Conflict) as error:
        errors = {**field_errors(error), **early}
        return _statement_form(row, site, values, errors, 422)
    except editing.NotFound:
        abort(404)
    state = "saved as a draft" if saved.draft else "published"
    return done("admin.statements", f"Statement “{saved.title}” {state}.")


@bp.route("/statements/new", methods=["GET", "POST"])
def statement_new():
    if request.method == "POST":
        return _save_statement(None)
    return _statement_form(None, current_site())


def _statement_row(statement_id: int) -> models.Statement:
    with current_store().session() as db:
        row = db.get(models.Statement, statement_id)
    if row is None:
        abort(404, description=f"There is no statement {statement_id}.")
    return row


@bp.route("/statements/<int:statement_id>", methods=["GET", "POST"])
def statement_edit(statement_id: int):
    row = _statement_row(statement_id)
    if request.method == "POST":
        return _save_statement(row)
    return _statement_form(row, current_site())


@bp.post("/statements/<int:statement_id>/delete")
def statement_delete(statement_id: int):
    row = _statement_row(statement_id)
    editing.delete_statement(row.id)
    flash(f"Statement “{row.title}” deleted.")
    if htmx():
        return Response(status=204, headers={"HX-Redirect": url_for("admin.statements")})
    return redirect(url_for("admin.statements"), 303)
