"""Every edit keeps the version it replaced (admin, API, site file), in its own transaction;
history, diffs, restoring, and corrections ("Updated DD.MM.YYYY")."""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa

from dashboard.content import models
from dashboard.content.store import EXTENSION as STORE
from tests.helpers.admin import (
    ADMIN_EMAIL,
    form_fields,
    make_admin,
    post_form,
    signed_in_client,
    statement_row,
)

SLUG = "lavrov-times-of-india-2020"


def kept(app, slug: str = SLUG) -> list[models.StatementRevision]:
    with app.extensions[STORE].session() as db:
        query = sa.select(models.StatementRevision).join(models.Statement)
        query = query.where(models.Statement.slug == slug)
        return list(db.scalars(query.order_by(models.StatementRevision.number)))


@pytest.fixture
def admin(app):
    make_admin(app)
    return signed_in_client(app)


def _edit(admin, row_id: int, **changes):
    url = f"/admin/statements/{row_id}"
    fields = form_fields(admin.get(url).get_data(as_text=True), "statement-form")
    fields.pop("correction", None)
    return post_form(admin, url, {**fields, **changes}, token_from=url)


def test_admin_edits_keep_the_former_version_and_a_correction_shows(app, at_reference, admin):
    row = statement_row(app, SLUG)
    old_title = row.title
    assert _edit(admin, row.id).status_code == 303  # saved as it was: nothing kept
    assert kept(app) == []
    assert _edit(admin, row.id, title="A <new> title", correction="1").status_code == 303
    (first,) = kept(app)
    assert first.number == 1 and first.fields["title"] == old_title
    assert first.saved_by == ADMIN_EMAIL and first.correction
    assert statement_row(app, SLUG).corrected_at is not None
    page = admin.get(f"/statements/{SLUG}").get_data(as_text=True)
    assert re.search(r"Updated\s*<time[^>]*>26\.01\.2020</time>", page)
    ru = admin.get(f"/statements/{SLUG}?lang=ru").get_data(as_text=True)
    assert "Обновлено" in ru

    history = admin.get(f"/admin/statements/{row.id}/history")
    text = history.get_data(as_text=True)
    assert history.status_code == 200 and ADMIN_EMAIL in text
    assert "<ins>+  A &lt;new&gt; title</ins>" in text  # escaped, marked as added
    assert f"<del>-  {old_title}</del>" in text
    assert admin.get(f"/admin/statements/{row.id}/history?old=7").status_code == 404
    assert admin.get(f"/admin/statements/{row.id}/history?old=x").status_code == 400

    restore = f"/admin/statements/{row.id}/history/1/restore"
    assert post_form(admin, restore, {}).status_code == 303
    assert statement_row(app, SLUG).title == old_title
    assert [r.fields["title"] for r in kept(app)] == [old_title, "A <new> title"]
    assert admin.post(restore, data={}).status_code == 400  # no CSRF token


@pytest.mark.system  # a second or more: in the full suite, not the fast tier
def test_api_edits_keep_revisions_and_corrections(app, at_reference):
    runner = app.test_cli_runner()
    token = re.search(r"^(dsh_\S+)$", runner.invoke(args=["create-token", "desk"]).output, re.M)
    headers = {"Authorization": f"Bearer {token.group(1)}"}
    client = app.test_client()
    url = f"/api/v1/statements/{SLUG}"
    assert client.get(url, headers=headers).json["corrected_at"] is None
    same = client.patch(url, json={}, headers=headers)
    assert same.status_code == 200 and kept(app) == []
    bad = client.patch(url, json={"title": "X", "correction": "yes"}, headers=headers)
    assert bad.status_code == 400 and "correction" in bad.json["error"]
    done = client.patch(url, json={"title": "Fixed", "correction": True}, headers=headers)
    assert done.status_code == 200 and done.json["corrected_at"] == "2020-01-26T17:58:00Z"
    plain = client.patch(url, json={"summary": "Later"}, headers=headers)
    assert plain.json["corrected_at"] == "2020-01-26T17:58:00Z"  # stays until the next one
    page = client.get(f"/statements/{SLUG}").get_data(as_text=True)
    linked_data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    )
    assert linked_data["dateModified"].startswith("2020-01-26T17:58:00")  # the correction's
    assert linked_data["dateModified"] != linked_data["datePublished"]
    first, second = kept(app)
    assert first.saved_by == "token desk" and first.correction and not second.correction
    assert second.fields["title"] == "Fixed"
    assert client.delete(url, headers=headers).status_code == 204
    assert kept(app) == []  # they go with their statement


def test_a_site_file_load_keeps_what_it_replaces(app, tmp_path):
    runner = app.test_cli_runner()
    path = tmp_path / "site.toml"
    assert runner.invoke(args=["export", str(path)]).exit_code == 0
    assert runner.invoke(args=["load", str(path)]).exit_code == 0
    assert kept(app) == []  # the same content again
    old_title = statement_row(app, SLUG).title
    text = path.read_text().replace(f'title = "{old_title}"', 'title = "Loaded title"', 1)
    path.write_text(text)
    result = runner.invoke(args=["load", str(path)])
    assert result.exit_code == 0, result.output
    assert statement_row(app, SLUG).title == "Loaded title"
    (first,) = kept(app)
    assert first.fields["title"] == old_title and first.saved_by == f"site file {path}"
