"""Statement bodies are rendered once, when written, and stored: no reader renders one; the
stored HTML is the sanitised one; a body over the size limit is refused by every writer,
naming `body`; and the migration that added the stored HTML fills it for older rows. (Bodies
that take too long to render: tests/system/test_body_bombs.py.)"""

from __future__ import annotations

import datetime as dt
import re

import markdown_it
import nh3
import pytest
import sqlalchemy as sa

from dashboard import config
from dashboard.content import models, rendering, richtext, sitefile, store
from dashboard.content.store import EXTENSION as STORE
from dashboard.feeds import jobs
from tests.helpers.admin import dump, log_in, make_admin, post_form, statement_row
from tests.helpers.feeds import add_feed, feed_row, feed_server, feed_statements, send
from tests.helpers.migrations import app_at_migration
from tests.helpers.reference import site_file

MARKDOWN = "Only *this one* has [a link](https://example.org/only).\n\n<script>alert(1)</script>"
SHOWN = '<p>Only <em>this one</em> has <a href="https://example.org/only" rel="noopener nofollow">'
FEATURED = f"""
[[statements]]
slug = "rendered-once"
published = 2020-01-26T12:00:00Z
featured = true
title = "Rendered once"
body = '''{MARKDOWN}'''
"""


@pytest.fixture
def token(app):
    result = app.test_cli_runner().invoke(args=["create-token", "bodies"])
    return re.search(r"^(dsh_\S+)$", result.output, re.M).group(1)


def test_readers_never_render_a_body(app, at_reference, monkeypatch):
    demo = sitefile.DEMO_PATH.read_text(encoding="utf-8")
    sitefile.load(app.extensions[STORE], sitefile.parse(demo + FEATURED, "demo + one"))

    def refuse(*_args, **_kwargs):
        raise AssertionError("a reader rendered a body")

    monkeypatch.setattr(markdown_it.MarkdownIt, "render", refuse)
    monkeypatch.setattr(nh3, "clean", refuse)
    monkeypatch.setattr(rendering, "body_html", refuse)  # the worker process's entry
    client = app.test_client()
    pages = {
        "/": SHOWN,
        "/?lang=ru": SHOWN,
        "/statements/rendered-once": SHOWN,
        "/statements": "Rendered once",
        "/embed?statements=3": "Rendered once",
        "/api/v1/statements": SHOWN.replace('"', '\\"'),
        "/api/v1/statements/rendered-once": SHOWN.replace('"', '\\"'),
        "/api/v1/snapshot": SHOWN.replace('"', '\\"'),
        "/api/v1/snapshot?at=2020-01-26T17:58:00Z": SHOWN.replace('"', '\\"'),
        "/feed.atom": SHOWN.replace("<", "&lt;").replace(">", "&gt;"),
    }
    for url, expected in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert expected in response.get_data(as_text=True), url
    assert client.get("/", headers={"HX-Request": "true"}).status_code == 200  # the live block


def test_the_stored_html_is_the_sanitised_html(app, at_reference):
    sitefile.load(app.extensions[STORE], sitefile.parse(site_file("good.toml") + FEATURED, "x"))
    row = statement_row(app, "rendered-once")
    assert row.body == MARKDOWN
    assert row.body_html == richtext.render(MARKDOWN)
    assert row.body_html.startswith(SHOWN) and "script" not in row.body_html


def test_an_edit_that_leaves_the_body_keeps_its_html(app, token, at_reference, monkeypatch):
    sitefile.load(app.extensions[STORE], sitefile.parse(site_file("good.toml") + FEATURED, "x"))

    def refuse(*_args, **_kwargs):
        raise AssertionError("an unchanged body was rendered again")

    monkeypatch.setattr(rendering, "body_html", refuse)
    response = app.test_client().patch(
        "/api/v1/statements/rendered-once",
        json={"title": "Renamed", "featured": False},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.json
    assert response.json["body_html"].startswith(SHOWN)


# -- the size limit, at every writer ----------------------------------------------------------
def too_big() -> str:
    return "a" * (config.BODY_MAX_BYTES + 1)


def test_the_api_refuses_a_body_over_the_limit_naming_it(app, client, token, at_reference):
    before = dump(app)
    response = client.post(
        "/api/v1/statements",
        json={"title": "Huge", "published": "2020-01-26", "body": too_big()},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 422
    assert list(response.json["fields"]) == ["body"]
    assert f"{config.BODY_MAX_BYTES + 1:,} bytes" in response.json["error"]
    assert f"{config.BODY_MAX_BYTES:,}" in response.json["error"]
    assert dump(app) == before


def test_the_admin_form_refuses_a_body_over_the_limit_beside_it(app, at_reference, monkeypatch):
    monkeypatch.setattr(config, "BODY_MAX_BYTES", 1000)
    make_admin(app)
    client = app.test_client()
    log_in(client)
    before = dump(app)
    form = {"title": "Huge", "published": "2020-01-26T09:30", "status": "published",
            "body": too_big(), "summary": "", "source_url": "", "language": "en"}  # fmt: skip
    response = post_form(client, "/admin/statements/new", form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "the most a body may hold is 1,000" in page
    assert re.search(r'id="error-body">[^<]*1,001 bytes', page)
    assert dump(app) == before


def test_a_site_file_with_a_body_over_the_limit_names_it(app, tmp_path, monkeypatch):
    monkeypatch.setattr(config, "BODY_MAX_BYTES", 1000)
    before = dump(app)
    path = tmp_path / "site.toml"
    path.write_text(site_file("good.toml") + FEATURED.replace(MARKDOWN, too_big()), "utf-8")
    result = app.test_cli_runner().invoke(args=["load", str(path)])
    assert result.exit_code == 1
    assert str(path) in result.output and "nothing was changed" in result.output
    assert "statements[2]" in result.output and "'body' is 1,001 bytes" in result.output
    assert dump(app) == before


def test_a_feed_item_over_the_limit_is_skipped_and_recorded(app, at_reference, monkeypatch):
    monkeypatch.setattr(config, "BODY_MAX_BYTES", 2000)
    long_words = "&lt;p&gt;" + "word " * 500 + "&lt;/p&gt;"  # 2,500 bytes of body
    feed = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>
<item><title>Too long</title><guid>big-1</guid><description>{long_words}</description></item>
<item><title>Fine</title><guid>big-2</guid><description>Short words.</description></item>
</channel></rss>""".encode()
    with feed_server({"/big": lambda handler: send(handler, feed)}) as server:
        feed_id = add_feed(app, server.url("/big"))
        [report] = jobs.poll_feeds(app, only_due=False)
    assert (report.new, report.error) == (1, None)
    assert [s.title for s in feed_statements(app, feed_id)] == ["Fine"]
    recorded = feed_row(app, feed_id).last_error
    assert "1 item(s) skipped" in recorded and "'Too long'" in recorded
    assert f"'body' is {len('<p></p>' + 'word ' * 500):,} bytes" in recorded


# -- the migration that stores the HTML of older bodies --------------------------------------
def test_the_migration_stores_the_html_of_the_bodies_already_there(database_url, tmp_path):
    _app, the_store = app_at_migration(database_url, str(tmp_path), "0003")
    at = dt.datetime(2020, 1, 1, 12, 0)
    with the_store.engine.begin() as connection:
        for slug, body in (("markdown", MARKDOWN), ("empty", "")):
            connection.execute(
                sa.text(
                    "INSERT INTO statements (slug, published, title, summary, body, featured, "
                    "source_url, language, draft, updated_at) "
                    "VALUES (:slug, :at, 'Old', '', :body, :no, '', 'en', :no, :at)"
                ),
                {"slug": slug, "at": at, "body": body, "no": False},
            )
    store.migrate(the_store)
    with the_store.session() as db:
        rows = {r.slug: r for r in db.scalars(sa.select(models.Statement))}
    assert rows["markdown"].body_html == richtext.render(MARKDOWN)
    assert rows["markdown"].body_html.startswith(SHOWN)
    assert rows["empty"].body_html == ""
    the_store.engine.dispose()
