"""HTTP behaviour: fragments, caching headers, the API, the archive and errors."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from dashboard import config, create_app
from dashboard.content import sitefile, store
from dashboard.content.store import EXTENSION as STORE
from tests.helpers.reference import REFERENCE_INSTANT

HALF_MINUTE = REFERENCE_INSTANT + dt.timedelta(seconds=30, milliseconds=250)


def delay_ms(html: str) -> int:
    return int(re.search(r'hx-trigger="load delay:(\d+)ms', html).group(1))


def test_page_and_fragment_share_a_url_and_say_so(client, at_reference):
    page = client.get("/")
    fragment = client.get("/?lang=en", headers={"HX-Request": "true"})
    # Without ?lang= the language may come from the cookie or Accept-Language.
    assert page.headers["Vary"] == "HX-Request, Accept-Language, Cookie"
    assert fragment.headers["Vary"] == "HX-Request"
    assert page.get_data(as_text=True).startswith("<!doctype html>")
    body = fragment.get_data(as_text=True)
    assert body.lstrip().startswith('<section id="live"')
    assert "<html" not in body and "Latest statements" not in body
    # The same block, one copy of markup: the fragment is exactly the page's live section.
    assert body.strip() in page.get_data(as_text=True)
    assert page.headers["ETag"] != fragment.headers["ETag"]


def test_delay_and_max_age_end_at_the_next_minute(client):
    with time_machine.travel(HALF_MINUTE, tick=False):
        response = client.get("/", headers={"HX-Request": "true"})
    # 29.75 s to 17:59:00, plus the 100 ms margin that lands the request after the boundary.
    assert delay_ms(response.get_data(as_text=True)) == 29_850
    assert response.headers["Cache-Control"] == "public, max-age=29"
    assert "every" not in response.get_data(as_text=True)


def test_cached_bytes_get_a_fresh_delay_per_request(client):
    with time_machine.travel(REFERENCE_INSTANT + dt.timedelta(seconds=1), tick=False):
        early = client.get("/", headers={"HX-Request": "true"})
    with time_machine.travel(REFERENCE_INSTANT + dt.timedelta(seconds=50), tick=False):
        late = client.get("/", headers={"HX-Request": "true"})
    assert early.headers["ETag"] == late.headers["ETag"]
    assert delay_ms(early.get_data(as_text=True)) == 59_100
    assert delay_ms(late.get_data(as_text=True)) == 10_100


def test_etag_revalidation_gives_304_then_changes_with_the_minute(client, at_reference):
    first = client.get("/")
    again = client.get("/", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    at_reference.shift(dt.timedelta(minutes=1))
    later = client.get("/", headers={"If-None-Match": first.headers["ETag"]})
    assert later.status_code == 200
    assert later.headers["ETag"] != first.headers["ETag"]
    assert "17:59" in later.get_data(as_text=True)


def test_snapshot_api_now_and_at(client, at_reference):
    now = client.get("/api/v1/snapshot")
    assert now.status_code == 200 and now.is_json
    assert now.headers["Cache-Control"] == "public, max-age=60"
    assert now.json["at"] == "2020-01-26T17:58:00Z"
    assert [c["days"] for c in now.json["counters"]] == [693, 685]
    chosen = client.get("/api/v1/snapshot?at=2021-03-04T00:30:00%2B01:00")
    assert chosen.status_code == 200
    assert chosen.json["at"] == "2021-03-03T23:30:00Z"
    assert chosen.json["counters"][0]["days"] == 1095  # still 3 March in London


def test_snapshot_api_rejects_a_malformed_instant(client):
    for bad in ("yesterday", "2020-01-26", "2020-01-26T17:58:00", "2020-13-01T00:00:00Z"):
        response = client.get("/api/v1/snapshot", query_string={"at": bad})
        assert response.status_code == 400, bad
        assert response.json["error"].startswith("'at': ")
        assert repr(bad) in response.json["error"]


@pytest.mark.system  # a second or more: in the full suite, not the fast tier
def test_archive_pages_by_keyset_newest_first(app, client, at_reference):
    app.config["STATEMENTS_PER_PAGE"] = 4
    seen, url, pages = [], "/statements", 0
    while url:
        html = client.get(url).get_data(as_text=True)
        seen += re.findall(r'href="/statements/([a-z0-9-]+)"', html)
        older = re.search(r'<a href="([^"]+)" rel="next">', html)
        url = older.group(1).replace("&amp;", "&") if older else None
        pages += 1
    assert pages == 3
    assert len(seen) == len(set(seen)) == 11
    assert seen[0] == "lavrov-raisina-dialogue-2020"
    assert seen[-1] == "lavrov-nibigira-press-conference-2019"


def test_archive_rejects_a_bad_cursor(client, at_reference):
    response = client.get("/statements?before=tomorrow")
    assert response.status_code == 400
    assert "&#39;before&#39; must look like" in response.get_data(as_text=True)


def test_statement_page_and_404(client, at_reference):
    page = client.get("/statements/lavrov-times-of-india-2020")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Times of India" in html and "15.01.2020" in html
    missing = client.get("/statements/no-such-thing")
    assert missing.status_code == 404
    assert "no statement called &#39;no-such-thing&#39;" in missing.get_data(as_text=True)


def test_empty_store_says_what_to_do(empty_app, at_reference):
    response = empty_app.test_client().get("/")
    assert response.status_code == 503
    assert "dashboard load" in response.get_data(as_text=True)


def test_htmx_is_pinned_with_sri_and_defer(client, at_reference):
    html = client.get("/").get_data(as_text=True)
    tag = re.search(r"<script src=\"([^\"]+htmx[^\"]*)\"([^>]*)>", html)
    assert tag.group(1) == config.HTMX_CDN_URL and "@2.0.11/" in tag.group(1)
    assert f'integrity="{config.HTMX_SRI}"' in tag.group(2)
    assert " defer" in tag.group(2)


def test_self_hosters_point_htmx_elsewhere(database_url, tmp_path, monkeypatch, at_reference):
    monkeypatch.setenv("HTMX_URL", "/static/vendor/htmx.min.js")
    app = create_app(
        {"DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "test"}
    )
    store.migrate(app.extensions[STORE])
    sitefile.load(app.extensions[STORE], sitefile.read_file(sitefile.DEMO_PATH))
    html = app.test_client().get("/").get_data(as_text=True)
    assert '<script src="/static/vendor/htmx.min.js" crossorigin="anonymous" defer>' in html
    app.extensions[STORE].engine.dispose()


def test_settings_come_from_the_environment():
    found = config.from_environment({"HTMX_URL": "/self/htmx.js", "DATABASE_URL": "sqlite://"})
    assert found == {"HTMX_URL": "/self/htmx.js", "HTMX_INTEGRITY": "", "DATABASE_URL": "sqlite://"}
    pinned = config.from_environment({"HTMX_URL": "/x.js", "HTMX_INTEGRITY": "sha384-abc"})
    assert pinned["HTMX_INTEGRITY"] == "sha384-abc"
