"""Hostile input gets a 400 that names the parameter, never a 500: digits that are not ASCII,
numbers past any row, instants past any calendar, JSON nested past the stack, a sign-in
address holding a line break. Every route's query at random: test_routes_property.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dashboard.web import params
from tests.helpers.admin import form_fields, make_admin, post_form, signed_in_client

HOST = "http://localhost"
PACKAGE = Path(__file__).parents[2] / "dashboard"


@pytest.fixture
def token(app):
    result = app.test_cli_runner().invoke(args=["create-token", "hostile-tests"])
    assert result.exit_code == 0, result.output
    return re.search(r"^(dsh_\S+)$", result.output, re.M).group(1)


def message(response) -> str:
    if response.is_json:
        return response.json["error"]
    return response.get_data(as_text=True).replace("&#39;", "'")


HOSTILE = [
    ("/embed", {"statements": "²"}, "'statements'"),
    ("/embed", {"statements": "٣"}, "'statements'"),  # Arabic-Indic three: not 3
    ("/embed", {"statements": "9" * 5000}, "'statements'"),
    ("/api/v1/statements", {"limit": "²"}, "'limit'"),
    ("/api/v1/statements", {"limit": "١٠"}, "'limit'"),
    ("/oembed", {"url": f"{HOST}/", "maxwidth": "²"}, "'maxwidth'"),
    ("/oembed", {"url": f"{HOST}/", "maxheight": "٣٠٠"}, "'maxheight'"),
    ("/embed/builder", {"statements": "³"}, "'statements'"),
    ("/statements", {"before": "2020-01-01T00:00:00Z_99999999999999999999999"}, "'before'"),
    ("/statements", {"before": "2020-01-01T00:00:00Z_٣"}, "'before'"),
    ("/statements", {"language": "en\x00"}, "'language'"),
    ("/api/v1/statements", {"before": "2020-01-01T00:00:00Z_2147483648"}, "'before'"),
    ("/api/v1/statements", {"before": "0001-01-01T00:00:00Z_1"}, "'before'"),
    ("/api/v1/snapshot", {"at": "9999-12-31T23:59:59Z"}, "'at'"),
    ("/api/v1/snapshot", {"at": "9999-12-31T23:59:59-23:59"}, "'at'"),
    ("/api/v1/snapshot", {"at": "0001-01-01T00:00:00+23:59"}, "'at'"),
]


def test_bad_numbers_and_instants_get_a_400_naming_the_parameter(client, at_reference):
    for url, query, named in HOSTILE:
        response = client.get(url, query_string=query, base_url=HOST)
        assert response.status_code == 400, (url, query)
        assert named in message(response), (url, query)
        if url.startswith("/api/") or url == "/oembed":
            assert set(response.json) == {"error"}, url  # the API's error shape


def test_a_control_character_in_a_path_matches_no_route(client, at_reference):
    """PostgreSQL refuses a NUL in a query: without this, a 500 there (SQLite takes it)."""
    for path in ("/statements/a%00b", "/api/v1/statements/a%00b", "/badge/a%00b.svg"):
        assert client.get(path).status_code == 404, path
    assert client.get("/statements/lavrov-times-of-india-2020").status_code == 200


def test_a_far_away_instant_is_refused_naming_the_years(client):
    response = client.get("/api/v1/snapshot", query_string={"at": "9999-12-31T23:59:59Z"})
    assert response.status_code == 400
    assert response.json["error"].startswith("'at': ")
    assert "1900 to 2200" in response.json["error"]


def test_ascii_digits_still_work(client, at_reference):
    assert client.get("/embed?statements=3").status_code == 200
    assert client.get("/embed?statements=%203%20").status_code == 200
    listed = client.get("/api/v1/statements?limit=007")
    assert listed.status_code == 200 and len(listed.json["statements"]) == 7


def test_admin_pages_refuse_numbers_past_any_row(app, at_reference):
    make_admin(app)
    admin_client = signed_in_client(app)
    page = admin_client.get("/admin/statements?page=100000000000000000000")
    assert page.status_code == 400 and "'page'" in message(page)
    assert admin_client.get("/admin/statements?page=²").status_code == 400
    assert admin_client.get("/admin/statements?page=2").status_code == 200
    for url in ("/admin/statements/", "/admin/counters/", "/admin/feeds/"):
        assert admin_client.get(url + "99999999999999999999").status_code == 404, url
    preview = admin_client.get("/admin/preview?at=9999-12-31T23:59")
    assert preview.status_code == 400 and "outside the years 1900 to 2200" in message(preview)


def test_admin_forms_take_ascii_digits_only(app, at_reference):
    make_admin(app)
    admin_client = signed_in_client(app)
    feed = post_form(
        admin_client,
        "/admin/feeds/new",
        {"url": "http://127.0.0.1:9/feed", "interval_minutes": "²", "language": "en"},
    )
    assert feed.status_code == 422
    assert "must be a whole number of minutes" in feed.get_data(as_text=True)
    fields = form_fields(admin_client.get("/admin/site").get_data(as_text=True), "site-form")
    site = post_form(
        admin_client, "/admin/site", {**fields, "latest_count": "100000000000000000000"}
    )
    assert site.status_code == 422
    assert "latest_count" in message(site)


def test_deeply_nested_json_is_a_400_naming_the_body(client, token):
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    for method, url in (
        ("POST", "/api/v1/statements"),
        ("PUT", "/api/v1/statements/lavrov-times-of-india-2020"),
        ("PATCH", "/api/v1/statements/lavrov-times-of-india-2020"),
    ):
        # 990 deep parses, and then fails anything that recurses over it (repr, for one).
        for depth in (100_000, 5_000, 990):
            nested = "[" * depth + "]" * depth
            for body in (nested, '{"title": ' + nested + ', "published": "2020-01-01"}'):
                response = client.open(url, method=method, data=body, headers=headers)
                assert response.status_code == 400, (method, depth)
                assert "the body nests more than" in response.json["error"]


def test_a_nul_in_a_text_is_refused_naming_the_key(app, client, token):
    """PostgreSQL cannot store a NUL: without this, a 500 there, and a row SQLite keeps."""
    headers = {"Authorization": f"Bearer {token}"}
    body = {"title": "Nul\x00here", "published": "2020-01-01"}
    response = client.post("/api/v1/statements", json=body, headers=headers)
    assert response.status_code == 422
    assert response.json["fields"]["title"] == ["'title' must not contain a NUL character"]


def test_a_line_break_in_next_never_reaches_the_location_header(app, at_reference):
    make_admin(app)
    admin_client = signed_in_client(app)
    hostile = "/admin/\r\nSet-Cookie: stolen=1"
    signed_in = admin_client.get("/admin/login", query_string={"next": hostile})
    assert signed_in.status_code == 302 and signed_in.location == "/admin/"
    assert "stolen" not in str(signed_in.headers)
    for target in ("/admin/\n", "/admin/ x", "/admin\x00", "/admin/" + "x" * 9000):
        response = admin_client.get("/admin/login", query_string={"next": target})
        assert response.location == "/admin/", repr(target)
    assert admin_client.get("/admin/login?next=/admin/feeds").location == "/admin/feeds"


def test_only_the_parsers_read_the_query_string():
    """So that params.REGISTRY lists every parameter any route reads."""
    readers = sorted(
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if re.search(r"request\.(args|values)\b", path.read_text(encoding="utf-8"))
    )
    assert readers == ["web/params.py"]


def test_every_declared_query_belongs_to_a_get_route(app):
    get_endpoints = {r.endpoint for r in app.url_map.iter_rules() if "GET" in r.methods}
    assert set(params.REGISTRY) <= get_endpoints
