"""The admin's blueprint, who may use it, and the helpers every area's forms share.

Every form is a plain HTML form (POST, then a redirect); htmx enhances it: a form with errors
is swapped in place (422), a saved one sends the browser on with HX-Redirect, and list actions
(move, delete, poll) swap only the list. Anonymous requests are sent to the sign-in page; every
POST carries a CSRF token. The private headers are set with all others, in web/headers.py.
"""

from __future__ import annotations

import pytz
from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for

from dashboard.cache.live import live_pages
from dashboard.content import editing, models, store
from dashboard.content.schema import Context, Entity, FieldErrors
from dashboard.content.store import current_store
from dashboard.core import timecalc
from dashboard.i18n import interface, problems
from dashboard.i18n.interface import _
from dashboard.web.auth import sessions

bp = Blueprint("admin", __name__, url_prefix="/admin")

PUBLIC_ENDPOINTS = {"admin.login"}


@bp.before_request
def require_admin():
    g.admin = sessions.current_admin()
    if g.admin is None and request.endpoint not in PUBLIC_ENDPOINTS:
        target = url_for("admin.login", next=request.full_path.rstrip("?"))
        if htmx():  # an XHR would follow a redirect and swap the login page into a fragment
            return Response(status=401, headers={"HX-Redirect": target})
        return redirect(target)
    return None


@bp.context_processor
def admin_globals():
    return {
        "current_admin": getattr(g, "admin", None),
        "zone_names": pytz.common_timezones,  # pytz: only its catalogue of names, as elsewhere
        "fmt_instant": lambda at: timecalc.format_instant(at) if at else _("never"),
        "admin_locale": interface.locale(),
        # static/edited.js tells the site's open pages in this browser when it changes.
        "content_revision": lambda: live_pages().content(timecalc.utcnow()).revision,
    }


def htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def current_site() -> models.Site:
    with current_store().session() as db:
        return editing.site_settings(db)


def done(endpoint: str, message: str, **values) -> Response:
    """After a successful write: on to the list (a full navigation under htmx too)."""
    flash(message)
    target = url_for(endpoint, **values)
    if htmx():
        return Response(status=204, headers={"HX-Redirect": target})
    return redirect(target, 303)


def form_page(template: str, partial: str, status: int = 200, **context):
    """A form: the whole page, or, for htmx, only the form (swapped where it was)."""
    return render_template(partial if htmx() else template, **context), status


def site_context() -> Context:
    """The site's zone and language, and the topics a statement's form offers."""
    with current_store().session() as db:
        return Context.of(editing.site_settings(db), store.topic_choices(db))


def entity_form(
    page: str, entity: Entity, row, action: str, values=None, errors=None, status=200, **extra
):
    """A form page (or, for htmx, only its form, admin/_form.html) with the entity's fields:
    the row's values, a new row's, or those just posted; `extra` for the page's own parts."""
    context = site_context()
    if values is None:
        shown = entity.form_values(row, context)
    else:
        shown = entity.shown(values, request.form, context)
    return form_page(
        page,
        "admin/_form.html",
        status,
        row=row,
        entity=entity,
        form_id=f"{entity.name}-form",
        action=action,
        widgets=entity.widgets(context),
        values=shown,
        errors=errors or {},
        **extra,
    )


def save_posted(entity: Entity, save) -> tuple[object | None, dict, dict]:
    """The posted form read by the entity's schema and saved with `save(values)`: (the saved
    row or None, the values, the problems by field). Nothing is written unless every field is
    right, and every field's problems are reported together."""
    context = site_context()
    values, unread = entity.from_form(request.form, context)
    try:
        entity.refuse_unread(values, unread, context)
        return save(values), values, {}
    except (FieldErrors, editing.Conflict) as error:
        return None, values, field_errors(error)


def field_errors(error: Exception) -> dict[str, list[str]]:
    """The problems by field, in the admin's language where the sentence is known."""
    return problems.translate_all(getattr(error, "fields", None) or {"_": [str(error)]})


def list_or_redirect(target: str, partial: str, context, message: str = "") -> Response | str:
    """After a list action: htmx swaps the list (with the message in it); a plain form goes
    back to the list page at `target`, which shows the message."""
    if htmx():
        return render_template(partial, notice=message, **context())
    if message:
        flash(message)
    return redirect(target, 303)


def find_row(model, row_id: int, name: str):
    """The row, or a 404 that names what is missing."""
    with current_store().session() as db:
        row = db.get(model, row_id)
    if row is None:
        abort(404, description=_("There is no %(name)s %(id)s.", name=name, id=row_id))
    return row


def show_or_save(show, save, row):
    """A form's page: GET shows the form for `row` (None: a new one), POST saves it."""
    return save(row) if request.method == "POST" else show(row)
