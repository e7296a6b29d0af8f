"""/admin: sign in, then edit statements, counters, clocks, the site's settings and feeds, and
preview the page at any instant.

Every form is a plain HTML form (POST, then a redirect); htmx enhances it: a form with errors
is swapped in place (422), a saved one sends the browser on with HX-Redirect, and list actions
(move, delete, poll) swap only the list. Values are checked by the site file's own checks.
Anonymous requests are sent to the sign-in page; every POST carries a CSRF token.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytz
import sqlalchemy as sa
from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from dashboard import auth, editing, feeds, models, sitefile, store, timecalc
from dashboard.captions import LOCALES
from dashboard.i18n import LANGUAGE_NAMES
from dashboard.live import DELAY_MARK
from dashboard.sitefile import FieldErrors
from dashboard.snapshot import dated, snapshot

bp = Blueprint("admin", __name__, url_prefix="/admin")

PUBLIC_ENDPOINTS = {"admin.login"}
PER_PAGE = 50


# -- access ---------------------------------------------------------------------------------------
@bp.before_request
def require_admin():
    g.admin = auth.current_admin()
    if g.admin is None and request.endpoint not in PUBLIC_ENDPOINTS:
        target = url_for("admin.login", next=request.full_path.rstrip("?"))
        if _htmx():  # an XHR would follow a redirect and swap the login page into a fragment
            return Response(status=401, headers={"HX-Redirect": target})
        return redirect(target)
    return None


@bp.after_request
def private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = "frame-ancestors 'none'"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.vary.add("HX-Request")
    return response


def _htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def _safe_next(target: str | None) -> str:
    """Only a path inside /admin: never another site (open redirect)."""
    if target:
        parts = urlsplit(target)
        local = not parts.scheme and not parts.netloc and "\\" not in target
        if local and parts.path.startswith("/admin") and not target.startswith("//"):
            return target
    return url_for("admin.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if g.admin is not None:
        return redirect(_safe_next(request.args.get("next")))
    error, status = None, 200
    email = request.form.get("email", "")
    if request.method == "POST":
        try:
            admin = auth.authenticate(_store(), email, request.form.get("password", ""))
        except auth.Throttled as throttled:
            error, status = str(throttled), 429
        else:
            if admin is None:
                error, status = "Wrong e-mail address or password.", 401
            else:
                auth.log_in(admin)
                return redirect(_safe_next(request.args.get("next")), 303)
    return render_template("admin/login.html", error=error, email=email), status


@bp.post("/logout")
def logout():
    auth.log_out()
    flash("You are signed out.")
    return redirect(url_for("admin.login"), 303)


# -- helpers --------------------------------------------------------------------------------------
def _store() -> store.Store:
    return current_app.extensions["dashboard.store"]


def _site() -> models.Site:
    with _store().session() as db:
        return editing.site_settings(db)


def _done(endpoint: str, message: str, **values) -> Response:
    """After a successful write: on to the list (a full navigation under htmx too)."""
    flash(message)
    target = url_for(endpoint, **values)
    if _htmx():
        return Response(status=204, headers={"HX-Redirect": target})
    return redirect(target, 303)


def _form_page(template: str, partial: str, status: int = 200, **context):
    """A form: the whole page, or, for htmx, only the form (swapped where it was)."""
    return render_template(partial if _htmx() else template, **context), status


def _errors(error: Exception) -> dict[str, list[str]]:
    return dict(getattr(error, "fields", None) or {"_": [str(error)]})


def _list_or_redirect(endpoint: str, partial: str, context, message: str = "") -> Response | str:
    """After a list action: htmx swaps the list (with the message in it); a plain form goes
    back to the list page, which shows the message."""
    if _htmx():
        return render_template(partial, notice=message, **context())
    if message:
        flash(message)
    return redirect(url_for(endpoint), 303)


# -- overview -------------------------------------------------------------------------------------
@bp.get("/")
def index():
    with _store().session() as db:
        counts = {
            "published": db.scalar(
                sa.select(sa.func.count()).select_from(models.Statement).where(store.PUBLISHED)
            ),
            "drafts": db.scalar(
                sa.select(sa.func.count())
                .select_from(models.Statement)
                .where(models.Statement.draft.is_(True))
            ),
            "counters": db.scalar(sa.select(sa.func.count()).select_from(models.Counter)),
            "clocks": db.scalar(sa.select(sa.func.count()).select_from(models.Clock)),
            "feeds": db.scalar(sa.select(sa.func.count()).select_from(models.Feed)),
        }
        failing = db.scalars(
            sa.select(models.Feed).where(models.Feed.last_error.is_not(None))
        ).all()
        site = db.get(models.Site, 1)
    return render_template("admin/index.html", counts=counts, failing=failing, site=site)


# -- statements ---------------------------------------------------------------------------------
@bp.get("/statements")
def statements():
    page = max(request.args.get("page", 1, type=int), 1)
    with _store().session() as db:
        site = editing.site_settings(db)
        rows = db.scalars(
            sa.select(models.Statement)
            .order_by(models.Statement.published.desc(), models.Statement.id.desc())
            .offset((page - 1) * PER_PAGE)
            .limit(PER_PAGE + 1)
        ).all()
    more = len(rows) > PER_PAGE
    listed = [(row, dated(store.statement_item(row), site.timezone)) for row in rows[:PER_PAGE]]
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
    return _form_page(
        "admin/statement_form.html",
        "admin/_statement_form.html",
        status,
        row=row,
        values=shown,
        errors=errors or {},
        site=site,
        languages=LANGUAGE_NAMES,
    )


def _save_statement(row: models.Statement | None):
    site = _site()
    values, early = _statement_form_values(site)
    try:
        # A published value that could not be read is left out, so the checks (of every
        # field, all reported together) fail on it and nothing is written.
        saved = editing.save_statement(values, row.id if row else None)
    except (FieldErrors, editing.Conflict) as error:
        errors = {**_errors(error), **early}
        return _statement_form(row, site, values, errors, 422)
    except editing.NotFound:
        abort(404)
    state = "saved as a draft" if saved.draft else "published"
    return _done("admin.statements", f"Statement “{saved.title}” {state}.")


@bp.route("/statements/new", methods=["GET", "POST"])
def statement_new():
    if request.method == "POST":
        return _save_statement(None)
    return _statement_form(None, _site())


def _statement_row(statement_id: int) -> models.Statement:
    with _store().session() as db:
        row = db.get(models.Statement, statement_id)
    if row is None:
        abort(404, description=f"There is no statement {statement_id}.")
    return row


@bp.route("/statements/<int:statement_id>", methods=["GET", "POST"])
def statement_edit(statement_id: int):
    row = _statement_row(statement_id)
    if request.method == "POST":
        return _save_statement(row)
    return _statement_form(row, _site())


@bp.post("/statements/<int:statement_id>/delete")
def statement_delete(statement_id: int):
    row = _statement_row(statement_id)
    editing.delete_statement(row.id)
    flash(f"Statement “{row.title}” deleted.")
    if _htmx():
        return Response(status=204, headers={"HX-Redirect": url_for("admin.statements")})
    return redirect(url_for("admin.statements"), 303)


# -- counters and clocks --------------------------------------------------------------------------
KINDS = {
    "counters": {"model": models.Counter, "name": "counter", "key": "slug"},
    "clocks": {"model": models.Clock, "name": "clock", "key": "label"},
}


def _ordered(kind: str) -> list:
    model = KINDS[kind]["model"]
    with _store().session() as db:
        return list(db.scalars(sa.select(model).order_by(model.position, model.id)))


def _list_context(kind: str):
    return lambda: {"kind": kind, "rows": _ordered(kind)}


@bp.get("/counters")
def counters():
    return render_template("admin/counters.html", kind="counters", rows=_ordered("counters"))


@bp.get("/clocks")
def clocks():
    return render_template("admin/clocks.html", kind="clocks", rows=_ordered("clocks"))


def _counter_form_values() -> tuple[dict, dict]:
    form = request.form
    values: dict = {
        "slug": form.get("slug", ""),
        "event": form.get("event", ""),
        "note": form.get("note", ""),
        "timezone": form.get("timezone", ""),
    }
    early: dict[str, list[str]] = {}
    since = form.get("since", "").strip()
    if since:
        try:
            values["since"] = dt.date.fromisoformat(since)
        except ValueError:
            early["since"] = [f"{since!r} is not a date such as 2018-03-04"]
    translations = {}
    for locale in LOCALES:
        event = form.get(f"translations-{locale}-event", "").strip()
        note = form.get(f"translations-{locale}-note", "").strip()
        if note and not event:
            early.setdefault("translations", []).append(
                f"{LANGUAGE_NAMES.get(locale, locale)}: give the event as well as the note"
            )
        elif event:
            translations[locale] = {"event": event, **({"note": note} if note else {})}
    if translations:
        values["translations"] = translations
    return values, early


def _clock_form_values() -> tuple[dict, dict]:
    form = request.form
    values = {
        "label": form.get("label", ""),
        "timezone": form.get("timezone", ""),
        "hour12": "hour12" in form,
    }
    return values, {}


def _row_values(kind: str, row) -> dict:
    if row is None:
        return {"hour12": False} if kind == "clocks" else {}
    if kind == "clocks":
        return {"label": row.label, "timezone": row.timezone, "hour12": row.hour12}
    return {
        "slug": row.slug,
        "since": row.since.isoformat(),
        "timezone": row.timezone or "",
        "event": row.event,
        "note": row.note,
        "translations": row.translations or {},
    }


def _kind_form(kind: str, row, values=None, errors=None, status=200):
    name = KINDS[kind]["name"]
    values = dict(values if values is not None else _row_values(kind, row))
    if isinstance(values.get("since"), dt.date):
        values["since"] = values["since"].isoformat()
    values.setdefault("since", request.form.get("since", ""))
    return _form_page(
        f"admin/{name}_form.html",
        f"admin/_{name}_form.html",
        status,
        kind=kind,
        row=row,
        values=values,
        errors=errors or {},
        site=_site(),
        locales=[locale for locale in LOCALES],
        languages=LANGUAGE_NAMES,
    )


def _kind_row(kind: str, row_id: int):
    with _store().session() as db:
        row = db.get(KINDS[kind]["model"], row_id)
    if row is None:
        abort(404, description=f"There is no {KINDS[kind]['name']} {row_id}.")
    return row


def _save_kind(kind: str, row):
    values, early = _counter_form_values() if kind == "counters" else _clock_form_values()
    save = editing.save_counter if kind == "counters" else editing.save_clock
    if early:  # report these with every other field's problems, and write nothing
        errors = dict(early)
        try:
            sitefile.check_counter(values, _site().timezone)
        except FieldErrors as error:
            errors = {**error.fields, **early}
        return _kind_form(kind, row, values, errors, 422)
    try:
        saved = save(values, row.id if row else None)
    except (FieldErrors, editing.Conflict) as error:
        return _kind_form(kind, row, values, {**_errors(error), **early}, 422)
    label = getattr(saved, KINDS[kind]["key"])
    return _done(f"admin.{kind}", f"{KINDS[kind]['name'].capitalize()} “{label}” saved.")


def _register_kind(kind: str) -> None:
    def new():
        if request.method == "POST":
            return _save_kind(kind, None)
        return _kind_form(kind, None)

    def edit(row_id: int):
        row = _kind_row(kind, row_id)
        if request.method == "POST":
            return _save_kind(kind, row)
        return _kind_form(kind, row)

    def delete(row_id: int):
        row = _kind_row(kind, row_id)
        editing.delete_row(KINDS[kind]["model"], row.id)
        message = (
            f"{KINDS[kind]['name'].capitalize()} “{getattr(row, KINDS[kind]['key'])}” deleted."
        )
        return _list_or_redirect(
            f"admin.{kind}", "admin/_order_list.html", _list_context(kind), message
        )

    def move(row_id: int):
        row = _kind_row(kind, row_id)
        steps = -1 if request.form.get("direction") == "up" else 1
        editing.move(KINDS[kind]["model"], row.id, steps)
        return _list_or_redirect(f"admin.{kind}", "admin/_order_list.html", _list_context(kind))

    bp.add_url_rule(f"/{kind}/new", f"{kind}_new", new, methods=["GET", "POST"])
    bp.add_url_rule(f"/{kind}/<int:row_id>", f"{kind}_edit", edit, methods=["GET", "POST"])
    bp.add_url_rule(f"/{kind}/<int:row_id>/delete", f"{kind}_delete", delete, methods=["POST"])
    bp.add_url_rule(f"/{kind}/<int:row_id>/move", f"{kind}_move", move, methods=["POST"])


for _kind in KINDS:
    _register_kind(_kind)


# -- the site's settings --------------------------------------------------------------------------
@bp.route("/site", methods=["GET", "POST"])
def site_settings():
    site = _site()
    values = {
        "title": site.title,
        "timezone": site.timezone,
        "contact": site.contact,
        "locale": site.locale,
        "latest_count": site.latest_count,
    }
    errors: dict = {}
    status = 200
    if request.method == "POST":
        form = request.form
        count = form.get("latest_count", "").strip()
        values = {
            "title": form.get("title", ""),
            "timezone": form.get("timezone", ""),
            "contact": form.get("contact", ""),
            "locale": form.get("locale", ""),
            "latest_count": int(count) if count.isdigit() else count,
        }
        try:
            editing.save_site(values)
        except (FieldErrors, editing.Conflict) as error:
            errors, status = _errors(error), 422
        else:
            return _done("admin.site_settings", "Site settings saved.")
    return _form_page(
        "admin/site.html",
        "admin/_site_form.html",
        status,
        values=values,
        errors=errors,
        locales=LOCALES,
        languages=LANGUAGE_NAMES,
    )


# -- feeds ----------------------------------------------------------------------------------------
def _feeds() -> list[models.Feed]:
    with _store().session() as db:
        return list(db.scalars(sa.select(models.Feed).order_by(models.Feed.id)))


@bp.get("/feeds")
def feeds_list():
    return render_template("admin/feeds.html", feeds=_feeds())


def _feed_row(feed_id: int) -> models.Feed:
    with _store().session() as db:
        row = db.get(models.Feed, feed_id)
    if row is None:
        abort(404, description=f"There is no feed {feed_id}.")
    return row


def _feed_form(row, values=None, errors=None, status=200):
    if values is None:
        values = (
            {
                "url": row.url,
                "interval_minutes": row.interval_minutes,
                "language": row.language,
                "publish": row.publish,
            }
            if row
            else {"interval_minutes": 30, "language": _site().locale, "publish": True}
        )
    return _form_page(
        "admin/feed_form.html",
        "admin/_feed_form.html",
        status,
        row=row,
        values=values,
        errors=errors or {},
    )


def _save_feed(row):
    form = request.form
    values = {
        "url": form.get("url", ""),
        "interval_minutes": form.get("interval_minutes", ""),
        "language": form.get("language", ""),
        "publish": "publish" in form,
    }
    try:
        saved = feeds.save_feed(values, row.id if row else None)
    except (FieldErrors, editing.Conflict) as error:
        return _feed_form(row, values, _errors(error), 422)
    return _done("admin.feeds_list", f"Feed {saved.url} saved; it is polled within a minute.")


@bp.route("/feeds/new", methods=["GET", "POST"])
def feed_new():
    if request.method == "POST":
        return _save_feed(None)
    return _feed_form(None)


@bp.route("/feeds/<int:feed_id>", methods=["GET", "POST"])
def feed_edit(feed_id: int):
    row = _feed_row(feed_id)
    if request.method == "POST":
        return _save_feed(row)
    return _feed_form(row)


@bp.post("/feeds/<int:feed_id>/delete")
def feed_delete(feed_id: int):
    row = _feed_row(feed_id)
    feeds.delete_feed(row.id)
    message = f"Feed {row.url} removed; statements taken from it stay."
    return _list_or_redirect(
        "admin.feeds_list", "admin/_feed_list.html", _feed_list_context, message
    )


def _feed_list_context() -> dict:
    return {"feeds": _feeds()}


@bp.post("/feeds/<int:feed_id>/poll")
def feed_poll(feed_id: int):
    row = _feed_row(feed_id)
    report = feeds.poll_feed(current_app._get_current_object(), row.id)
    return _list_or_redirect(
        "admin.feeds_list", "admin/_feed_list.html", _feed_list_context, report.line()
    )


# -- preview --------------------------------------------------------------------------------------
@bp.get("/preview")
def preview():
    site = _site()
    at_text = request.args.get("at", "").strip()
    include_drafts = request.args.get("drafts") == "1"
    locale = request.args.get("lang", "")
    locale = locale if locale in LOCALES else site.locale
    error = None
    at = timecalc.utcnow()
    if at_text:
        try:
            at = timecalc.from_local_text(at_text, site.timezone)
        except timecalc.TimeError as problem:
            error = str(problem)
    shot = snapshot(at, editing.preview_content(include_drafts), locale)
    page = render_template("index.html", shot=shot)
    page = page.replace(DELAY_MARK.decode(), "60000")
    return render_template(
        "admin/preview.html",
        shot=None,
        snapshot_at=shot.at,
        at_text=at_text or timecalc.local_input_text(at, site.timezone),
        include_drafts=include_drafts,
        locale=locale,
        locales=LOCALES,
        languages=LANGUAGE_NAMES,
        page=page,
        site=site,
        error=error,
    ), (400 if error else 200)


@bp.context_processor
def admin_globals():
    return {
        "current_admin": getattr(g, "admin", None),
        "zone_names": pytz.common_timezones,  # pytz: only its catalogue of names, as elsewhere
        "fmt_instant": lambda at: timecalc.format_instant(at) if at else "never",
    }


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
