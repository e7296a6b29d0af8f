"""/api/v1/statements: public reads of published statements, and writes with a bearer token.

Reads never show drafts. Writes take JSON with the site file's keys, checked by the same code
(422 names each bad field), and answer with the statement as stored, including `body_html`,
the sanitised HTML of the body. A bearer token is not sent by browsers on their own, so these
routes are exempt from CSRF; the session cookie is never accepted here.
"""

from __future__ import annotations

import datetime as dt
import functools

from flask import Response, current_app, g, jsonify, request, url_for

from dashboard import config
from dashboard.cache import keys
from dashboard.cache.http import cached_response
from dashboard.cache.live import live_pages
from dashboard.content import editing, models, store
from dashboard.content.schema import STATEMENT, Context, FieldErrors
from dashboard.content.schema import statement as statement_schema
from dashboard.content.store import current_store
from dashboard.core import timecalc
from dashboard.core.snapshot import Snapshot, StatementItem, dated
from dashboard.web import listing, params
from dashboard.web.api.v1.blueprint import ApiError, bp
from dashboard.web.auth import tokens

REALM = 'Bearer realm="dashboard"'


def token_required(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(
                401,
                "this needs a bearer token: Authorization: Bearer <token> "
                "(make one with `dashboard create-token NAME`)",
                headers={"WWW-Authenticate": REALM},
            )
        name = tokens.verify(current_store(), token.strip())
        if name is None:
            raise ApiError(
                401,
                "the bearer token is not valid (unknown or revoked)",
                headers={"WWW-Authenticate": f'{REALM}, error="invalid_token"'},
            )
        g.api_token = name
        return view(*args, **kwargs)

    return wrapped


# -- JSON out -------------------------------------------------------------------------------------
def statement_json(item: StatementItem, zone_name: str, row: models.Statement | None = None):
    """The schema's fields (for a writer, the row's, draft included), and what STATEMENT's
    `computed` names: made here, and ignored when a writer sends them back."""
    data = STATEMENT.to_json(item) if row is None else STATEMENT.to_json(row, writer=True)
    data["date"] = dated(item, zone_name).date_iso
    data["body_html"] = item.body_html  # rendered and sanitised when written
    data["url"] = url_for("public.statement", slug=item.slug)
    data["corrected_at"] = item.corrected_at and timecalc.format_instant(item.corrected_at)
    if row is not None:
        data["updated"] = timecalc.format_instant(row.updated_at)
    return data


def _row_json(row: models.Statement):
    return statement_json(statement_schema.item(row), _site_zone(), row)


def _site_zone() -> str:
    return live_pages().content(timecalc.utcnow()).timezone


def _cached_json(key: str, payload_at, locale: str | None = None) -> Response:
    """JSON kept per minute like the pages: an edit shows within the minute everywhere (at once
    in the process that made it), a revalidation is a 304 without a query, and caches may keep
    it until the minute ends. `payload_at(shot)` builds the payload; it may raise ApiError."""
    now = timecalc.utcnow()

    def view(shot: Snapshot) -> tuple[str, dt.datetime]:
        text = current_app.json.dumps(payload_at(shot), separators=(",", ":"))  # as jsonify
        return text + "\n", min(shot.minute + timecalc.MINUTE, shot.next_change)

    rendered = live_pages().get(key, now, view=view, locale=locale)
    return cached_response(rendered, now, "application/json")


# -- reads ----------------------------------------------------------------------------------------
LIST = params.Query(
    "api.list_statements",
    limit=params.Whole(1, config.API_MAX_LIMIT, default=config.API_DEFAULT_LIMIT),
    **listing.parameters(),
)


@bp.get("/statements")
def list_statements():
    """The archive's list: the same filters, and with `q` the same search, in the same order;
    each found statement has its `excerpt` (escaped text, the matches in <mark>)."""
    values = LIST.read()
    limit = values["limit"]
    wanted = listing.read(values, live_pages().content(timecalc.utcnow()))
    if wanted.problem:
        raise ApiError(400, wanted.problem)

    def payload_at(shot: Snapshot) -> dict:
        with current_store().session() as db:
            page = listing.fetch(db, wanted, limit, shot.statements_at, shot.date.timezone)
        found = []
        for entry in page.entries:
            data = statement_json(entry.item, shot.date.timezone)
            if entry.excerpt is not None:
                data["excerpt"] = str(entry.excerpt)
            found.append(data)
        links = wanted.arguments()
        older = page.next
        return {
            "statements": found,
            "next": url_for(".list_statements", limit=limit, before=older, **links)
            if older
            else None,
        }

    return _cached_json(keys.api_statements(limit, wanted.key()), payload_at)


@bp.get("/statements/<slug>")
def get_statement(slug: str):
    def payload_at(shot: Snapshot) -> dict:
        with current_store().session() as db:
            item = store.statement_by_slug(db, slug, shot.statements_at)
            expired = item is None and store.has_expired(db, slug, shot.statements_at)
        if expired:
            raise ApiError(410, f"the statement {slug!r} has been withdrawn")
        if item is None:
            raise ApiError(404, f"there is no published statement {slug!r}")
        return statement_json(item, shot.date.timezone)

    return _cached_json(keys.api_statement(slug), payload_at)


# -- writes ---------------------------------------------------------------------------------------
def _nested_deeper(data, limit: int) -> bool:
    """Whether lists and objects in `data` nest more than `limit` deep (walked without
    recursion: anything that recursed over it, even repr in an error message, could fail)."""
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict | list):
            if depth > limit:
                return True
            children = value.values() if isinstance(value, dict) else value
            pending.extend((child, depth + 1) for child in children)
    return False


def _json_object() -> dict:
    too_deep = ApiError(
        400,
        f"the body nests more than {config.API_MAX_JSON_DEPTH} levels deep; a statement is "
        "one JSON object of strings, true and false",
    )
    try:
        data = request.get_json(force=True, silent=True)
    except RecursionError:  # json's decoder stops on deep nesting, before the stack ends
        raise too_deep from None
    if _nested_deeper(data, config.API_MAX_JSON_DEPTH):
        raise too_deep
    if not isinstance(data, dict):
        raise ApiError(400, 'the body must be a JSON object, e.g. {"title": "…", …}')
    return data


def _write(data: dict, statement_id: int | None, start: dict | None = None):
    """Save the JSON's values over `start` (a PATCH's stored values); `"correction": true`
    marks an edit as a correction."""
    correction = data.pop("correction", False)
    if not isinstance(correction, bool):
        raise ApiError(400, "'correction' must be true or false")
    try:
        with current_store().session() as db:
            context = Context.of(editing.site_settings(db))
        values, unread = STATEMENT.from_json(data, context)
        values = {**(start or {}), **values}
        STATEMENT.refuse_unread(values, unread, context)
        return editing.save_statement(values, statement_id, correction=correction)
    except FieldErrors as error:
        named = ", ".join(f"'{key}'" for key in error.fields)
        raise ApiError(422, f"invalid {named}: {error}", error.fields) from None
    except editing.Conflict as error:
        raise ApiError(409, str(error), error.fields) from None


def _existing(slug: str) -> models.Statement:
    with current_store().session() as db:
        row = editing.find_statement(db, slug)
    if row is None:
        raise ApiError(404, f"there is no statement {slug!r}")
    return row


@bp.post("/statements")
@token_required
def create_statement():
    row = _write(_json_object(), None)
    location = url_for(".get_statement", slug=row.slug)
    return jsonify(_row_json(row)), 201, {"Location": location}


@bp.put("/statements/<slug>")
@token_required
def replace_statement(slug: str):
    row = _existing(slug)
    values = _json_object()
    values.setdefault("slug", slug)  # a PUT without a slug keeps the address
    return jsonify(_row_json(_write(values, row.id)))


@bp.patch("/statements/<slug>")
@token_required
def update_statement(slug: str):
    row = _existing(slug)
    return jsonify(_row_json(_write(_json_object(), row.id, STATEMENT.stored(row))))


@bp.delete("/statements/<slug>")
@token_required
def delete_statement(slug: str):
    row = _existing(slug)
    try:
        editing.delete_statement(row.id)
    except editing.NotFound:
        raise ApiError(404, f"there is no statement {slug!r}") from None
    return "", 204
