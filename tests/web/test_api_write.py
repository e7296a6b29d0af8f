"""The statement API: tokens from the CLI (hash only), bearer auth with WWW-Authenticate, JSON
checked by the site file's checks, 409 on a taken slug, keyset reads that never show drafts."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from dashboard.content import models, store
from dashboard.content.store import EXTENSION as STORE
from tests.helpers.admin import dump, log_in, make_admin, statement_row


@pytest.fixture
def token(app):
    result = app.test_cli_runner().invoke(args=["create-token", "press-office"])
    assert result.exit_code == 0, result.output
    return re.search(r"^(dsh_\S+)$", result.output, re.M).group(1)


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


NEW = {
    "title": "Statement by the API",
    "published": "2020-01-26T12:00:00+03:00",
    "summary": "Summary <b>plain</b>.",
    "body": "Para one.\n\n<script>alert(1)</script>\n\n**Two** <img src=x onerror=alert(1)>",
    "source_url": "https://mid.example/api",
}


def test_tokens_are_shown_once_and_stored_as_hashes(app, token):
    with app.extensions[STORE].session() as db:
        row = db.scalars(sa.select(models.ApiToken)).one()
    assert row.name == "press-office" and token not in row.token_hash and len(row.token_hash) == 64
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["list-tokens"])
    assert "press-office" in listed.output and "never used" in listed.output
    assert token not in listed.output
    assert runner.invoke(args=["create-token", "press-office"]).exit_code == 1  # names unique
    assert runner.invoke(args=["create-token", "bad/name"]).exit_code == 2


def test_writes_need_a_valid_bearer_token(app, client, token, at_reference):
    before = dump(app)
    anonymous = client.post("/api/v1/statements", json=NEW)
    assert anonymous.status_code == 401
    assert anonymous.headers["WWW-Authenticate"] == 'Bearer realm="dashboard"'
    assert "bearer token" in anonymous.json["error"]
    wrong = client.post("/api/v1/statements", json=NEW, headers=auth("dsh_not-a-token"))
    assert wrong.status_code == 401
    assert 'error="invalid_token"' in wrong.headers["WWW-Authenticate"]
    for method in ("put", "patch", "delete"):
        response = getattr(client, method)("/api/v1/statements/lavrov-times-of-india-2020")
        assert response.status_code == 401, method
    # A signed-in admin's session cookie is not a token.
    make_admin(app)
    log_in(client)
    assert client.post("/api/v1/statements", json=NEW).status_code == 401
    assert dump(app) == before


def test_create_read_update_delete(app, client, token, at_reference):
    created = client.post("/api/v1/statements", json=NEW, headers=auth(token))  # no CSRF token
    assert created.status_code == 201, created.json
    body = created.json
    slug = "statement-by-the-api-2020-01-26"
    assert body["slug"] == slug and created.headers["Location"] == f"/api/v1/statements/{slug}"
    assert body["published"] == "2020-01-26T09:00:00Z" and body["date"] == "2020-01-26"
    assert (
        body["body_html"] == "<p>Para one.</p>\n\n<p><strong>Two</strong> </p>"
    )  # no script, no img
    assert body["draft"] is False and body["url"] == f"/statements/{slug}"
    assert "Statement by the API" in client.get("/").get_data(as_text=True)  # at once
    assert client.get(f"/api/v1/statements/{slug}").json["title"] == "Statement by the API"

    patched = client.patch(
        f"/api/v1/statements/{slug}", json={"featured": True, "title": "Renamed"},
        headers=auth(token),
    )  # fmt: skip
    assert patched.status_code == 200
    assert patched.json["featured"] is True and patched.json["summary"] == NEW["summary"]
    assert 'href="/statements/statement-by-the-api-2020-01-26">Renamed' in client.get("/").text

    replaced = client.put(
        f"/api/v1/statements/{slug}",
        json={"title": "Replaced", "published": "2020-01-25", **{"body_html": "ignored"}},
        headers=auth(token),
    )
    assert replaced.status_code == 200
    assert replaced.json["summary"] == "" and replaced.json["featured"] is False
    assert replaced.json["published"] == "2020-01-25T00:00:00Z"  # midnight in London
    assert replaced.json["slug"] == slug  # a PUT without a slug keeps the address

    moved = client.patch(
        f"/api/v1/statements/{slug}", json={"slug": "new-home"}, headers=auth(token)
    )
    assert moved.status_code == 200 and statement_row(app, slug) is None

    deleted = client.delete("/api/v1/statements/new-home", headers=auth(token))
    assert deleted.status_code == 204
    assert client.get("/api/v1/statements/new-home").status_code == 404
    assert client.delete("/api/v1/statements/new-home", headers=auth(token)).status_code == 404
    listed = app.test_cli_runner().invoke(args=["list-tokens"]).output
    assert "2020-01-26T17:58:00Z" in listed  # last used


def test_bad_json_is_refused_naming_the_field(app, client, token, at_reference):
    before = dump(app)
    not_json = client.post(
        "/api/v1/statements",
        data="{nope",
        headers={**auth(token), "Content-Type": "application/json"},
    )
    assert not_json.status_code == 400 and "JSON object" in not_json.json["error"]
    assert client.post("/api/v1/statements", json=[1], headers=auth(token)).status_code == 400
    cases = {
        "title": {**NEW, "title": 42},
        "published": {**NEW, "published": "yesterday"},
        "source_url": {**NEW, "source_url": "javascript:alert(1)"},
        "featured": {**NEW, "featured": "yes"},
        "evnet": {**NEW, "evnet": "misspelt"},
        "slug": {**NEW, "slug": "Not A Slug"},
    }
    for field, payload in cases.items():
        response = client.post("/api/v1/statements", json=payload, headers=auth(token))
        assert response.status_code == 422, field
        assert list(response.json["fields"]) == [field], response.json
        assert f"'{field}'" in response.json["error"]
    missing = client.post("/api/v1/statements", json={"summary": "x"}, headers=auth(token))
    assert set(missing.json["fields"]) == {"title", "published"}
    naive = client.post(
        "/api/v1/statements", json={**NEW, "published": "2020-01-26T12:00:00"}, headers=auth(token)
    )
    assert naive.status_code == 422 and "no UTC offset" in naive.json["fields"]["published"][0]
    assert dump(app) == before


def test_a_taken_slug_is_a_conflict(app, client, token, at_reference):
    response = client.post(
        "/api/v1/statements",
        json={**NEW, "slug": "lavrov-times-of-india-2020"},
        headers=auth(token),
    )
    assert response.status_code == 409
    assert response.json["fields"] == {
        "slug": ["the slug 'lavrov-times-of-india-2020' is already used"]
    }
    other = client.patch(
        "/api/v1/statements/lavrov-raisina-dialogue-2020",
        json={"slug": "lavrov-times-of-india-2020"},
        headers=auth(token),
    )
    assert other.status_code == 409


def test_reads_page_by_keyset_and_never_show_drafts(app, client, token, at_reference):
    draft = client.post("/api/v1/statements", json={**NEW, "draft": True}, headers=auth(token))
    assert draft.status_code == 201 and draft.json["draft"] is True
    seen, url = [], "/api/v1/statements?limit=4"
    while url:
        page = client.get(url)
        assert page.status_code == 200 and page.headers["X-Content-Type-Options"] == "nosniff"
        seen += [s["slug"] for s in page.json["statements"]]
        url = page.json["next"]
    assert len(seen) == len(set(seen)) == 11
    assert seen[0] == "lavrov-raisina-dialogue-2020"
    assert draft.json["slug"] not in seen
    assert client.get(f"/api/v1/statements/{draft.json['slug']}").status_code == 404
    first = client.get("/api/v1/statements?limit=2")
    again = client.get(
        "/api/v1/statements?limit=2", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304
    for bad in ("0", "101", "x"):
        assert client.get(f"/api/v1/statements?limit={bad}").status_code == 400
    assert client.get("/api/v1/statements?before=garbage").status_code == 400


def test_revoking_a_token_takes_effect_at_once(app, client, token, at_reference):
    assert client.post("/api/v1/statements", json=NEW, headers=auth(token)).status_code == 201
    result = app.test_cli_runner().invoke(args=["revoke-token", "press-office"])
    assert result.exit_code == 0 and "Revoked" in result.output
    refused = client.post("/api/v1/statements", json={**NEW, "slug": "x-1"}, headers=auth(token))
    assert refused.status_code == 401
    assert app.test_cli_runner().invoke(args=["revoke-token", "press-office"]).exit_code == 1


def test_reads_are_cached_for_the_minute_and_an_edit_elsewhere_shows_at_the_next(
    app, client, at_reference
):
    """Public reads are kept like the pages: max-age to the end of the minute, a weak ETag and
    a 304 without a query; a write by another process shows from the next minute."""
    at_reference.shift(dt.timedelta(seconds=20))  # 17:58:20
    first = client.get("/api/v1/statements?limit=2")
    one = client.get("/api/v1/statements/lavrov-raisina-dialogue-2020")
    for response in (first, one):
        assert response.status_code == 200 and response.mimetype == "application/json"
        assert response.headers["Cache-Control"] == "public, max-age=40"
        assert response.headers["ETag"].startswith('W/"')
    queries = []
    sa.event.listen(app.extensions[STORE].engine, "before_cursor_execute",
                    lambda *args: queries.append(args[2]))  # fmt: skip
    again = client.get(
        "/api/v1/statements?limit=2", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304 and queries == []
    # Another process (the admin on another machine) renames the newest statement.
    with app.extensions[STORE].session() as db, db.begin():
        db.execute(
            sa.update(models.Statement)
            .where(models.Statement.slug == "lavrov-raisina-dialogue-2020")
            .values(title="Renamed elsewhere")
        )
        store.mark_changed(db)
    assert client.get("/api/v1/statements?limit=2").json == first.json  # this minute's copy
    at_reference.shift(dt.timedelta(seconds=40))  # 17:59:00
    later = client.get("/api/v1/statements?limit=2")
    assert later.json["statements"][0]["title"] == "Renamed elsewhere"
    assert later.headers["ETag"] != first.headers["ETag"]
    assert later.headers["Cache-Control"] == "public, max-age=60"
    assert client.get("/api/v1/statements/lavrov-raisina-dialogue-2020").json["title"] == (
        "Renamed elsewhere"
    )
