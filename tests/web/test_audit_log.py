"""The audit log: what is recorded and by whom, that it never holds a password or a token,
that the database refuses to change it, and where it shows (the admin, `dashboard audit`)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from dashboard.content import audit, models
from dashboard.content.store import EXTENSION as STORE
from tests.helpers.admin import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    form_fields,
    log_in,
    make_admin,
    post_form,
    signed_in_client,
    statement_row,
)
from tests.web.test_admin_editing import NEW_STATEMENT


def log(app) -> list[models.AuditEntry]:
    with app.extensions[STORE].session() as db:
        return list(reversed(audit.entries(db, limit=1000)))


def _changed(admin, url: str, form_id: str, **changes):
    fields = form_fields(admin.get(url).get_data(as_text=True), form_id)
    return post_form(admin, url, {**fields, **changes}, token_from=url)


def test_every_kind_of_event_is_recorded_without_secrets(app, tmp_path):
    make_admin(app)
    client = app.test_client()
    assert log_in(client, password="wrong password here").status_code == 401
    assert log_in(client, email="typed-a-secret-here", password="x").status_code == 401
    assert log_in(client).status_code == 303
    runner = app.test_cli_runner()
    made = runner.invoke(args=["create-token", "desk"]).output
    token = re.search(r"^(dsh_\S+)$", made, re.M).group(1)
    assert runner.invoke(args=["revoke-token", "desk"]).exit_code == 0

    draft = {**NEW_STATEMENT, "status": "draft"}
    assert post_form(client, "/admin/statements/new", draft).status_code == 303
    row = statement_row(app, "on-the-anniversary-2020-01-26")
    edit = f"/admin/statements/{row.id}"
    assert _changed(client, edit, "statement-form", status="published").status_code == 303
    restore = f"/admin/statements/{row.id}/history/1/restore"
    assert post_form(client, restore, {}).status_code == 303
    preview = post_form(client, f"{edit}/previews", {"days": "2"}, token_from=edit)
    secret = re.search(r"preview=([\w-]+)", preview.get_data(as_text=True)).group(1)
    with app.extensions[STORE].session() as db:
        link = db.scalars(sa.select(models.PreviewLink)).one()
    assert post_form(client, f"{edit}/previews/{link.id}/revoke", {}).status_code == 200
    assert post_form(client, f"{edit}/delete", {}).status_code == 303
    assert _changed(client, "/admin/counters/1", "counter-form", note="N").status_code == 303
    assert _changed(client, "/admin/clocks/1", "clock-form", label="Msk").status_code == 303
    assert _changed(client, "/admin/site", "site-form", contact="c@x.example").status_code == 303
    path = tmp_path / "site.toml"
    assert runner.invoke(args=["export", str(path)]).exit_code == 0
    assert runner.invoke(args=["load", str(path)]).exit_code == 0

    rows = log(app)
    actions = [r.action for r in rows]
    for wanted in (
        "signin.failed", "signin", "token.create", "token.revoke", "statement.create",
        "statement.edit", "statement.publish", "statement.restore", "preview.create",
        "preview.revoke", "statement.delete", "counter.edit", "clock.edit", "site.edit",
        "sitefile.load",
    ):  # fmt: skip
        assert wanted in actions, wanted
    by = {r.action: r for r in rows}
    assert by["signin"].actor == ADMIN_EMAIL
    assert by["statement.edit"].actor == ADMIN_EMAIL
    assert by["statement.edit"].details["fields"] == ["draft"]
    assert by["token.create"].actor == "command line" and by["token.create"].subject == "desk"
    assert by["statement.restore"].details["version"] == 1
    assert by["site.edit"].details == {"fields": ["contact"]}
    assert by["sitefile.load"].subject == str(path)
    with app.extensions[STORE].engine.connect() as connection:
        everything = str(connection.execute(sa.text("SELECT * FROM audit_log")).all())
    assert [r.actor for r in rows if r.action == "signin.failed"] == [
        ADMIN_EMAIL,
        "unknown account",
    ]
    for secret_text in (
        ADMIN_PASSWORD,
        "wrong password here",
        "typed-a-secret-here",
        token,
        secret,
    ):
        assert secret_text not in everything


def test_the_database_refuses_to_change_the_log(app):
    the_store = app.extensions[STORE]
    with the_store.session() as db, db.begin():
        audit.record(db, "signin", "x", actor="someone@example.org")
    for change in ("UPDATE audit_log SET actor = 'nobody'", "DELETE FROM audit_log"):
        refused = pytest.raises(sa.exc.DBAPIError, match="never changed")
        with refused, the_store.engine.begin() as connection:
            connection.execute(sa.text(change))
    assert any(r.actor == "someone@example.org" for r in log(app))


def _some_entries(app, count: int) -> None:
    with app.extensions[STORE].session() as db, db.begin():
        for number in range(count):
            actor = "a@example.org" if number % 2 else "b@example.org"
            audit.record(db, "counter.edit", f"c{number}", actor=actor)


def test_the_admin_lists_the_log_newest_first_filtered_and_paged(app):
    _some_entries(app, 60)
    make_admin(app)
    admin = signed_in_client(app)
    page = admin.get("/admin/audit").get_data(as_text=True)
    subjects = re.findall(r'<td data-label="On">(c\d+)</td>', page)
    assert subjects[:3] == ["c59", "c58", "c57"] and len(subjects) == 50
    older = re.search(r'href="(/admin/audit\?[^"]*before=\d+)" rel="next"', page).group(1)
    rest = admin.get(older.replace("&amp;", "&")).get_data(as_text=True)
    assert re.findall(r'<td data-label="On">(c\d+)</td>', rest)[:1] == ["c9"]
    mine = admin.get("/admin/audit?actor=a@example.org&action=counter.edit").text
    shown = re.findall(r'<td data-label="On">(c\d+)</td>', mine)
    assert shown[:2] == ["c59", "c57"] and len(shown) == 30
    assert admin.get("/admin/audit?action=DROP%20TABLE").status_code == 400
    assert app.test_client().get("/admin/audit").status_code == 302  # admins only


def test_dashboard_audit_prints_the_log(app):
    _some_entries(app, 5)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["audit", "--actor", "a@example.org", "--limit", "1"])
    assert result.exit_code == 0, result.output
    assert result.output.count("\n") == 1 and "a@example.org  counter.edit  c3" in result.output
    assert "No entries." in runner.invoke(args=["audit", "--action", "nothing.here"]).output
    assert runner.invoke(args=["audit", "--limit", "0"]).exit_code == 2
