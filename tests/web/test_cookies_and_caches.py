"""A response that sets a cookie is never public, so no shared cache hands one reader's cookie
to the next; and the public pages never set the session cookie, so they stay cacheable."""

from __future__ import annotations

import re

from tests.helpers.admin import make_admin, signed_in_client

HOST = "http://localhost"
# Path values for the public routes that take one: a statement, a counter, a topic.
PATH_VALUES = {
    "public.statement": {"slug": "lavrov-times-of-india-2020"},
    "api.get_statement": {"slug": "lavrov-times-of-india-2020"},
    "badges.badge_svg": {"slug": "salisbury"},
    "badges.badge_json": {"slug": "salisbury"},
    "badges.badge_png": {"slug": "salisbury"},
    "cards.counter_card": {"slug": "salisbury"},
    "cards.statement_card": {"slug": "lavrov-times-of-india-2020"},
    "public.counter": {"slug": "salisbury"},
    "api.get_counter": {"slug": "salisbury"},
    "public.topic": {"slug": "osce"},
    "atom.topic_feed": {"slug": "osce"},
    "sitemap.numbered": {"int:number": "1"},
    "ahead.block": {"minute": "2020-01-26T17:59Z"},  # the next minute at the reference
}
EXTRA_QUERY = {"embed.oembed": {"url": f"{HOST}/?lang=ru"}}


def public_urls(app) -> list[tuple[str, str, dict]]:
    """(endpoint, path, query) for every public GET route of the url_map, with ?lang=ru."""
    found = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint.startswith(("admin.", "static")):
            continue
        path = rule.rule
        for name, value in PATH_VALUES.get(rule.endpoint, {}).items():
            path = path.replace(f"<{name}>", value)
        assert "<" not in path, f"give {rule.endpoint} a value for {path}"
        found.append((rule.endpoint, path, {"lang": "ru", **EXTRA_QUERY.get(rule.endpoint, {})}))
    return found


def assert_not_shared(response, where: str) -> None:
    cache_control = response.headers.get("Cache-Control", "")
    assert "public" not in cache_control, where
    assert re.search(r"\b(private|no-store)\b", cache_control), where
    assert "ETag" not in response.headers, where


def test_a_response_that_sets_a_cookie_is_never_public(app, at_reference):
    urls = public_urls(app)
    assert len(urls) >= 10
    setting = []
    for endpoint, path, query in urls:
        for headers in ({}, {"HX-Request": "true"}):
            response = app.test_client().get(path, query_string=query, headers=headers)
            assert response.status_code < 400, (endpoint, response.status_code)
            if "Set-Cookie" in response.headers:
                setting.append(endpoint)
                assert_not_shared(response, endpoint)
    # The pages that remember a reader's language do set one (so the rule above was tried).
    assert {"public.index", "public.archive", "public.statement"} <= set(setting)


def test_a_revalidation_that_sets_a_cookie_is_not_public_either(app, at_reference):
    etag = app.test_client().get("/").headers["ETag"]  # the site's language: English
    reader = app.test_client()
    again = reader.get("/?lang=en", headers={"If-None-Match": etag})
    assert again.status_code == 304 and "Set-Cookie" in again.headers
    assert_not_shared(again, "/?lang=en")
    settled = reader.get("/?lang=en")  # the cookie is there now: public again
    assert "Set-Cookie" not in settled.headers
    assert settled.headers["Cache-Control"].startswith("public, max-age=")


def test_a_signed_in_admin_reading_the_site_gets_public_pages_and_no_cookie(app, at_reference):
    make_admin(app)
    admin = signed_in_client(app)
    for endpoint, path, query in public_urls(app):
        query = {k: v for k, v in query.items() if k != "lang"}
        response = admin.get(path, query_string=query, base_url=HOST)
        assert "Set-Cookie" not in response.headers, endpoint
    page = admin.get("/")
    assert page.headers["Cache-Control"].startswith("public, max-age=")


def test_nginx_never_caches_a_response_that_sets_a_cookie(runner):
    printed = runner.invoke(args=["nginx-config"]).output
    ignored = re.findall(r"proxy_ignore_headers([^;]*);", printed)
    assert ignored, "the template ignores Vary (and, for static files, Cache-Control)"
    assert not any("set-cookie" in line.lower() for line in ignored)
