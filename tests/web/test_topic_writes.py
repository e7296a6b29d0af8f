"""Writing topics: /admin/topics lists, makes, edits, moves and deletes them; a statement's
topics are check boxes in the admin and a list in the API's JSON, in and out. Topics are
declared, never made by naming one: an undeclared one is refused, naming `topics`, with
nothing written."""

from __future__ import annotations

import re

import pytest

from tests.helpers.admin import dump, post_form, revision, statement_row

# A module of a second or more: in the full suite, not the fast tier.
pytestmark = pytest.mark.system

NEW_STATEMENT = {
    "title": "On the anniversary",
    "published": "2020-01-26T09:30",
    "status": "published",
    "summary": "A short summary.",
    "body": "",
    "source_url": "",
    "language": "en",
    "slug": "",
}


def topics_listed(admin_client) -> dict[str, str]:
    """Slug: row id, in the list's order."""
    page = admin_client.get("/admin/topics").get_data(as_text=True)
    found = re.findall(r'<li id="topics-(\d+)">\s*<span class="order-label"><strong>([^<]+)', page)
    return {slug: row_id for row_id, slug in found}


def test_topics_are_made_edited_moved_and_deleted_in_the_admin(app, admin_client):
    public = app.test_client()
    assert list(topics_listed(admin_client))[:3] == ["russia-uk", "european-security", "osce"]
    assert "9 topics" in admin_client.get("/admin/").get_data(as_text=True)
    made = post_form(
        admin_client,
        "/admin/topics/new",
        {"slug": "culture", "name": "Culture", "translations-ru-name": "Культура"},
    )
    assert made.status_code == 303 and made.location == "/admin/topics"
    assert list(topics_listed(admin_client))[-1] == "culture"  # new ones go last
    assert "Культура" in public.get("/topics/culture?lang=ru").get_data(as_text=True)
    row_id = topics_listed(admin_client)["culture"]

    edited = post_form(admin_client, f"/admin/topics/{row_id}", {"slug": "culture", "name": "Arts"})
    assert edited.status_code == 303
    page = public.get("/topics/culture?lang=ru").get_data(as_text=True)  # at once
    assert '<h1 lang="en">Arts</h1>' in page  # its Russian name was taken off
    moved = post_form(admin_client, f"/admin/topics/{row_id}/move", {"direction": "up"}, True)
    assert moved.status_code == 200 and 'id="order-list"' in moved.get_data(as_text=True)
    assert list(topics_listed(admin_client))[-2:] == ["culture", "consular"]

    osce = topics_listed(admin_client)["osce"]
    deleted = post_form(admin_client, f"/admin/topics/{osce}/delete", {})
    assert deleted.status_code == 303
    assert public.get("/topics/osce").status_code == 404
    assert statement_row(app, "lavrov-osce-bratislava-2019").topics == ["european-security"]


def test_a_topics_form_names_each_problem(app, admin_client):
    before, before_revision = dump(app), revision(app)
    taken = post_form(admin_client, "/admin/topics/new", {"slug": "osce", "name": "Again"})
    assert taken.status_code == 422
    assert "the slug &#39;osce&#39; is already used" in taken.get_data(as_text=True)
    bad = post_form(admin_client, "/admin/topics/new", {"slug": "Not A Slug", "name": " "})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'id="error-slug"' in html and 'id="error-name"' in html
    assert dump(app) == before and revision(app) == before_revision


def test_a_statements_topics_are_check_boxes_that_save(app, admin_client):
    form = admin_client.get("/admin/statements/new").get_data(as_text=True)
    boxes = re.findall(r'<input id="field-topics-([a-z-]+)" name="topics" type="checkbox"', form)
    assert boxes[:3] == ["russia-uk", "european-security", "osce"] and len(boxes) == 9
    assert '<label for="field-topics-osce">OSCE</label>' in form
    saved = post_form(
        admin_client, "/admin/statements/new", {**NEW_STATEMENT, "topics": ["osce", "history"]}
    )
    assert saved.status_code == 303
    row = statement_row(app, "on-the-anniversary-2020-01-26")
    assert row.topics == ["osce", "history"]
    page = app.test_client().get("/statements/on-the-anniversary-2020-01-26").text
    assert 'href="/topics/osce" rel="tag"' in page and 'href="/topics/history"' in page
    edit = admin_client.get(f"/admin/statements/{row.id}").get_data(as_text=True)
    checked = re.findall(r'id="field-topics-([a-z-]+)" name="topics" type="checkbox" '
                         r'value="[a-z-]+" checked', edit)  # fmt: skip
    assert checked == ["osce", "history"]
    none = post_form(admin_client, f"/admin/statements/{row.id}", NEW_STATEMENT)  # all unticked
    assert none.status_code == 303 and statement_row(app, row.slug).topics == []


def test_an_undeclared_topic_on_the_form_is_a_field_error(app, admin_client):
    before = dump(app)
    posted = {**NEW_STATEMENT, "topics": ["osce", "culture"]}
    response = post_form(admin_client, "/admin/statements/new", posted)
    assert response.status_code == 422
    error = re.search(r'<p class="error" id="error-topics">([^<]*)</p>', response.text).group(1)
    assert "there is no topic &#39;culture&#39;; declare it first" in error
    assert "Topics → New topic in the admin" in error
    assert re.search(r'id="field-topics-osce" name="topics" type="checkbox" value="osce" checked',
                     response.text)  # fmt: skip
    assert dump(app) == before


# -- the API ------------------------------------------------------------------------------------
@pytest.fixture
def token(app):
    result = app.test_cli_runner().invoke(args=["create-token", "press-office"])
    return re.search(r"^(dsh_\S+)$", result.output, re.M).group(1)


def test_the_api_writes_a_statements_topics(app, client, token, at_reference):
    headers = {"Authorization": f"Bearer {token}"}
    body = {"title": "By the API", "published": "2020-01-26", "topics": ["osce", "russia-uk"]}
    created = client.post("/api/v1/statements", json=body, headers=headers)
    assert created.status_code == 201, created.json
    slug = created.json["slug"]
    assert created.json["topics"] == ["russia-uk", "osce"]  # in the topics' order
    assert slug in client.get("/topics/osce").get_data(as_text=True)  # at once
    url = f"/api/v1/statements/{slug}"
    kept = client.patch(url, json={"title": "Renamed"}, headers=headers)
    assert kept.json["topics"] == ["russia-uk", "osce"]  # a PATCH keeps what it does not name
    changed = client.patch(url, json={"topics": ["history"]}, headers=headers)
    assert changed.json["topics"] == ["history"]
    assert slug not in client.get("/topics/osce").get_data(as_text=True)
    replaced = client.put(url, json={"title": "Replaced", "published": "2020-01-26"},
                          headers=headers)  # fmt: skip
    assert replaced.json["topics"] == []  # a PUT replaces everything
    assert client.get(url).json["topics"] == []


def test_the_api_refuses_undeclared_topics_naming_the_field(app, client, token, at_reference):
    headers = {"Authorization": f"Bearer {token}"}
    before = dump(app)
    body = {"title": "By the API", "published": "2020-01-26", "topics": ["osce", "culture"]}
    refused = client.post("/api/v1/statements", json=body, headers=headers)
    assert refused.status_code == 422
    assert list(refused.json["fields"]) == ["topics"]
    (message,) = refused.json["fields"]["topics"]
    assert message.startswith("there is no topic 'culture'; declare it first: a [[topics]]")
    assert "invalid 'topics'" in refused.json["error"]
    for wrong, problem in (
        ("osce", "must be a list of topic slugs"),
        ([1], "must be a list of topic slugs"),
        (["osce", "osce"], "topic 'osce' is named twice"),
    ):
        response = client.post(
            "/api/v1/statements", json={**body, "topics": wrong}, headers=headers
        )
        assert response.status_code == 422 and problem in response.json["fields"]["topics"][0]
    patched = client.patch(
        "/api/v1/statements/lavrov-osce-bratislava-2019",
        json={"title": "Changed", "topics": ["culture"]},
        headers=headers,
    )
    assert patched.status_code == 422 and dump(app) == before
