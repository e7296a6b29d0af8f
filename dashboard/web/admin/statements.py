"""/admin/statements: list, write, edit and delete statements."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, url_for

from dashboard import config
from dashboard.content import editing, models, previews
from dashboard.content.schema import STATEMENT
from dashboard.content.schema import statement as statement_schema
from dashboard.content.store import current_store
from dashboard.core import timecalc
from dashboard.core.snapshot import dated
from dashboard.i18n.interface import _
from dashboard.web import params
from dashboard.web.admin.blueprint import (
    bp,
    current_site,
    done,
    entity_form,
    find_row,
    htmx,
    save_posted,
    show_or_save,
)

# Any page past the last is empty; past this one its offset would not fit a row id.
LIST = params.Query(
    "admin.statements", page=params.Whole(1, params.MAX_ROW_ID // config.ADMIN_PER_PAGE, 1)
)


@bp.get("/statements")
def statements():
    page = LIST.read()["page"]
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
        (row, dated(statement_schema.item(row), site.timezone))
        for row in rows[: config.ADMIN_PER_PAGE]
    ]
    return render_template(
        "admin/statements.html",
        rows=listed,
        page=page,
        more=more,
        site=site,
        now=timecalc.utcnow(),  # what is scheduled, and what has expired
    )


@bp.route("/statements/new", endpoint="statement_new", methods=["GET", "POST"])
@bp.route("/statements/<int:statement_id>", endpoint="statement_edit", methods=["GET", "POST"])
def statement_form(statement_id: int | None = None):
    row = None if statement_id is None else find_row(models.Statement, statement_id, "statement")
    return show_or_save(_statement_form, _save_statement, row)


def _statement_form(row: models.Statement | None, values=None, errors=None, status=200):
    if row is None:
        return entity_form(
            "admin/statement_form.html", STATEMENT, None, url_for("admin.statement_new"),
            values, errors, status,
        )  # fmt: skip
    return edit_page(row, values, errors, status)


def edit_page(row: models.Statement, values=None, errors=None, status=200, preview=None):
    """A statement's page in the admin: its form, and its preview links."""
    action = url_for("admin.statement_edit", statement_id=row.id)
    return entity_form(
        "admin/statement_form.html", STATEMENT, row, action, values, errors, status,
        **(preview or preview_part(row)),
    )  # fmt: skip


def _save_statement(row: models.Statement | None):
    def save(values: dict) -> models.Statement:
        try:
            correction = row is not None and request.form.get("correction") == "1"
            return editing.save_statement(values, row.id if row else None, correction)
        except editing.NotFound:
            abort(404)

    saved, values, errors = save_posted(STATEMENT, save)
    if saved is None:
        return _statement_form(row, values, errors, 422)
    if saved.draft:
        message = _("Statement “%(title)s” saved as a draft.", title=saved.title)
    elif saved.published > timecalc.utcnow():
        zone = current_site().timezone
        when = timecalc.local_input_text(saved.published, zone).replace("T", " ")
        message = _(
            "Statement “%(title)s” scheduled for %(time)s (%(zone)s).",
            title=saved.title, time=when, zone=zone,
        )  # fmt: skip
    else:
        message = _("Statement “%(title)s” published.", title=saved.title)
    return done("admin.statements", message)


@bp.post("/statements/<int:statement_id>/delete")
def statement_delete(statement_id: int):
    row = find_row(models.Statement, statement_id, "statement")
    editing.delete_statement(row.id)
    flash(_("Statement “%(title)s” deleted.", title=row.title))
    if htmx():
        return Response(status=204, headers={"HX-Redirect": url_for("admin.statements")})
    return redirect(url_for("admin.statements"), 303)


def preview_part(row: models.Statement, made: str | None = None, error: str | None = None):
    """What admin/_preview_links.html shows for a statement."""
    now = timecalc.utcnow()
    with current_store().session() as db:
        links = previews.links_of(db, row.id)
    return {
        "statement": row,
        "links": [(link, previews.is_working(link, now)) for link in links],
        "made_url": made
        and url_for("public.statement", slug=row.slug, preview=made, _external=True),
        "preview_error": error,
        "default_days": config.PREVIEW_DEFAULT_DAYS,
        "max_days": config.PREVIEW_MAX_DAYS,
        "scheduled": row.published > now,
        "publishes_at": _site_time(row.published),
    }


def _site_time(at) -> str:
    """An instant as the site's wall clock says it: '2026-12-03 09:00:00 (Europe/London)'."""
    zone_name = current_site().timezone
    local = timecalc.local(at, zone_name).replace(tzinfo=None)
    return f"{local.isoformat(' ', 'seconds')} ({zone_name})"
