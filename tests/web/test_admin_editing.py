"""What the admin edits: per-field checks that write all or nothing, drafts that stay private,
edits that show at once, a preview at any instant, and the reference instant untouched."""

from __future__ import annotations

import datetime as dt
import html as html_module
import re

import pytest
import sqlalchemy as sa

from dashboard import create_app
from dashboard.content import models
from dashboard.content.store import EXTENSION as STORE
from tests.helpers.admin import (
    dump,
    log_in,
    make_admin,
    post_form,
    resave,
    revision,
    statement_row,
)
from tests.helpers.reference import (
    REFERENCE_INSTANT,
    missing_lines,
    reference_problems,
    visible_text,
)

# -- statements -------------------------------------------------------------------------------
NEW_STATEMENT = {
    "title": "On the anniversary",
    "published": "2020-01-26T09:30",
    "status": "published",
    "summary": "A short summary.",
    "body": "First paragraph with *emphasis*.\n\nSecond, with a [link](https://example.org/).",
    "source_url": "https://mid.example/anniversary",
    "language": "en",
    "slug": "",
}


def test_a_published_statement_appears_on_the_page_at_once(app, admin_client):
    public = app.test_client()
    assert "On the anniversary" not in public.get("/").get_data(as_text=True)  # now cached
    saved = post_form(admin_client, "/admin/statements/new", {**NEW_STATEMENT, "featured": "1"})
    assert saved.status_code == 303 and saved.location == "/admin/statements"
    row = statement_row(app, "on-the-anniversary-2020-01-26")
    assert row.published == dt.datetime(2020, 1, 26, 9, 30, tzinfo=dt.UTC)  # London = UTC
    page = public.get("/").get_data(as_text=True)  # same minute: the edit invalidated the cache
    assert '<h1 id="featured-title"><a href="/statements/on-the-anniversary-2020-01-26">' in page
    assert "<p>First paragraph with <em>emphasis</em>.</p>" in page
    assert '<a href="https://example.org/" rel="noopener nofollow">link</a>' in page
    listing = admin_client.get("/admin/statements").get_data(as_text=True)
    assert "Statement “On the anniversary” published." in listing


def test_edits_reach_other_processes_within_a_minute(app, admin_client, at_reference):
    other = create_app(
        {"DATABASE_URL": app.config["DATABASE_URL"], "INSTANCE_PATH": app.instance_path,
         "SECRET_KEY": "another process"}
    )  # fmt: skip
    reader = other.test_client()
    assert "the Salisbury incident" in reader.get("/").get_data(as_text=True)
    data = {"slug": "salisbury", "since": "2018-03-04", "event": "the edited incident",
            "timezone": "Europe/London", "note": ""}  # fmt: skip
    assert post_form(admin_client, "/admin/counters/1", data).status_code == 303
    assert "the edited incident" in app.test_client().get("/").get_data(as_text=True)
    at_reference.shift(dt.timedelta(minutes=1))
    assert "the edited incident" in reader.get("/").get_data(as_text=True)
    other.extensions[STORE].engine.dispose()


def test_a_draft_stays_private_everywhere_until_published(app, admin_client):
    draft = {**NEW_STATEMENT, "status": "draft", "featured": "1", "slug": "secret-draft"}
    assert post_form(admin_client, "/admin/statements/new", draft).status_code == 303
    public = app.test_client()
    for url in ("/", "/statements", "/api/v1/snapshot", "/api/v1/statements", "/feed.atom",
                "/api/v1/snapshot?at=2020-01-26T17:58:00Z"):  # fmt: skip
        text = public.get(url).get_data(as_text=True)
        assert "On the anniversary" not in text and "secret-draft" not in text, url
    assert public.get("/statements/secret-draft").status_code == 404
    assert public.get("/api/v1/statements/secret-draft").status_code == 404
    assert "secret-draft" not in app.test_cli_runner().invoke(args=["snapshot"]).output
    listing = admin_client.get("/admin/statements").get_data(as_text=True)
    assert "On the anniversary" in listing and "<strong>Draft</strong>" in listing
    preview = admin_client.get("/admin/preview?at=2020-01-26T17:58&drafts=1")
    assert "On the anniversary" in preview.get_data(as_text=True)
    assert "On the anniversary" not in admin_client.get("/admin/preview").get_data(as_text=True)
    row = statement_row(app, "secret-draft")
    published = post_form(
        admin_client, f"/admin/statements/{row.id}", {**draft, "status": "published"}
    )
    assert published.status_code == 303
    assert public.get("/statements/secret-draft").status_code == 200
    assert "On the anniversary" in public.get("/").get_data(as_text=True)


def test_bad_values_are_named_per_field_and_nothing_is_written(app, admin_client):
    before, before_revision = dump(app), revision(app)
    bad = {**NEW_STATEMENT, "title": "  ", "published": "2021-03-28T01:30",
           "source_url": "javascript:alert(1)", "language": "xx-notalanguage",
           "slug": "Not A Slug"}  # fmt: skip
    response = post_form(admin_client, "/admin/statements/new", bad)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Nothing was saved" in html
    for field, message in {
        "title": "'title' must not be empty",
        "published": "does not exist in Europe/London (the clocks skip it)",
        "source_url": "must be an http:// or https:// address",
        "language": "is not a known language code",
        "slug": "must be lower-case letters, digits and hyphens",
    }.items():
        shown = re.search(rf'<p class="error" id="error-{field}">([^<]*)</p>', html)
        assert shown and message in shown.group(1).replace("&#39;", "'"), field
        assert f'id="field-{field}"' in html
    assert 'aria-invalid="true"' in html
    assert 'value="Not A Slug"' in html  # what was typed is kept
    assert dump(app) == before and revision(app) == before_revision


def test_htmx_gets_only_the_form_back_and_a_redirect_on_success(app, admin_client):
    bad = post_form(admin_client, "/admin/statements/new", {**NEW_STATEMENT, "title": ""}, True)
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert html.lstrip().startswith('<form id="statement-form"') and "<html" not in html
    good = post_form(admin_client, "/admin/statements/new", NEW_STATEMENT, htmx=True)
    assert good.status_code == 204 and good.headers["HX-Redirect"] == "/admin/statements"


def test_a_taken_slug_is_refused_and_a_derived_one_made_unique(app, admin_client):
    first = {**NEW_STATEMENT, "slug": "lavrov-times-of-india-2020"}
    taken = post_form(admin_client, "/admin/statements/new", first)
    assert taken.status_code == 422
    assert "the slug &#39;lavrov-times-of-india-2020&#39; is already used" in taken.get_data(
        as_text=True
    )
    for _ in range(2):
        assert post_form(admin_client, "/admin/statements/new", NEW_STATEMENT).status_code == 303
    assert statement_row(app, "on-the-anniversary-2020-01-26") is not None
    assert statement_row(app, "on-the-anniversary-2020-01-26-2") is not None


def test_deleting_a_statement(app, admin_client):
    row = statement_row(app, "lavrov-times-of-india-2020")
    assert post_form(admin_client, f"/admin/statements/{row.id}/delete", {}).status_code == 303
    assert statement_row(app, "lavrov-times-of-india-2020") is None
    assert app.test_client().get("/statements/lavrov-times-of-india-2020").status_code == 404


# -- counters, clocks and the site -----------------------------------------------------------
def page_order(app, pattern: str) -> list[str]:
    return re.findall(pattern, app.test_client().get("/").get_data(as_text=True))


def test_counters_and_clocks_are_edited_and_reordered(app, admin_client):
    counters = r'id="counter-([a-z0-9-]+)"'
    clocks = r'<span class="clock-label">([^<]+):</span>'
    assert page_order(app, counters) == ["salisbury", "glushkov"]
    moved = post_form(admin_client, "/admin/counters/1/move", {"direction": "down"}, htmx=True)
    assert moved.status_code == 200
    assert moved.get_data(as_text=True).startswith('<div id="order-list"')
    assert page_order(app, counters) == ["glushkov", "salisbury"]
    new = {"slug": "brexit", "since": "2020-01-31", "event": "Brexit", "timezone": "",
           "translations-ru-event": "Брексита"}  # fmt: skip
    assert post_form(admin_client, "/admin/counters/new", new).status_code == 303
    assert page_order(app, counters) == ["glushkov", "salisbury", "brexit"]
    assert "5 days to go until Brexit" in visible_text(app.test_client().get("/").text)
    assert "5 дней осталось до Брексита" in visible_text(app.test_client().get("/?lang=ru").text)
    assert page_order(app, clocks) == ["Moscow", "London"]
    assert post_form(admin_client, "/admin/clocks/2/move", {"direction": "up"}).status_code == 303
    tokyo = {"label": "Tokyo", "timezone": "Asia/Tokyo", "hour12": "1"}
    assert post_form(admin_client, "/admin/clocks/new", tokyo).status_code == 303
    assert page_order(app, clocks) == ["London", "Moscow", "Tokyo"]
    assert "Tokyo:</span> <time" in app.test_client().get("/").get_data(as_text=True)
    assert "2:58 AM" in app.test_client().get("/").get_data(as_text=True)
    removed = post_form(admin_client, "/admin/clocks/1/delete", {}, htmx=True)
    assert "Clock “Moscow” deleted." in removed.get_data(as_text=True)
    assert page_order(app, clocks) == ["London", "Tokyo"]


def test_counter_and_clock_checks_are_the_site_files(app, admin_client):
    before = dump(app)
    counter = {"slug": "Bad Slug", "since": "2020-02-30", "event": "", "timezone": "Mars/Base"}
    response = post_form(admin_client, "/admin/counters/new", counter)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "must be lower-case letters, digits and hyphens" in html
    assert "is not a date such as 2018-03-04" in html
    assert "&#39;event&#39; must not be empty" in html
    assert "&#39;Mars/Base&#39; is not a known IANA time zone" in html
    taken = {"slug": "glushkov", "since": "2020-01-01", "event": "x", "timezone": ""}
    assert "already used" in post_form(admin_client, "/admin/counters/new", taken).get_data(
        as_text=True
    )
    clock = post_form(admin_client, "/admin/clocks/new", {"label": "London", "timezone": "UTC"})
    assert clock.status_code == 422 and "the label &#39;London&#39; is already used" in (
        clock.get_data(as_text=True)
    )
    assert dump(app) == before


def test_site_settings(app, admin_client):
    bad = post_form(
        admin_client,
        "/admin/site",
        {"title": "", "timezone": "Nowhere/City", "locale": "fr", "latest_count": "-1"},
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "&#39;title&#39; must not be empty" in html and "is not supported" in html
    assert "&#39;latest_count&#39; must be a whole number" in html
    good = {"title": "Embassy <Test>", "timezone": "Asia/Tokyo", "contact": "Call us",
            "locale": "ru", "latest_count": "2"}  # fmt: skip
    assert post_form(admin_client, "/admin/site", good).status_code == 303
    page = app.test_client().get("/").get_data(as_text=True)
    assert "Embassy &lt;Test&gt;" in page and "27 января 2020" in page  # Tokyo is past midnight
    assert page.count('class="statement-item"') == 2


# -- preview and headers ---------------------------------------------------------------------
def test_preview_shows_the_page_at_a_chosen_instant(admin_client):
    response = admin_client.get("/admin/preview?at=2021-03-04T00:30&lang=en")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<iframe class="preview-frame" title="Preview of the page" sandbox srcdoc="' in html
    frame = re.search(r'srcdoc="([^"]*)"', html).group(1)
    assert "&lt;!doctype html&gt;" in frame  # the page, escaped once into the attribute
    text = visible_text(html_module.unescape(frame))
    assert "1,096 days have passed since the Salisbury incident" in text  # 4 March 2021, 00:30
    assert "4 March 2021" in text and "__NEXT_DELAY_MS__" not in frame
    wrong = admin_client.get("/admin/preview?at=tomorrow")
    assert wrong.status_code == 400 and "is not a date and time" in wrong.get_data(as_text=True)


def test_admin_pages_are_private_and_unframeable(admin_client):
    response = admin_client.get("/admin/statements")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


# -- the reference instant ------------------------------------------------------------------
def preview_page(client, query: str) -> str:
    """The page inside the preview's sandboxed frame, as the frame gets it."""
    html = client.get(f"/admin/preview?{query}").get_data(as_text=True)
    (srcdoc,) = re.findall(r'<iframe class="preview-frame"[^>]* srcdoc="([^"]*)"', html)
    return html_module.unescape(srcdoc)


@pytest.mark.system  # a second or more: in the full suite, not the fast tier
def test_reference_instant_is_unchanged_by_the_admin(app, at_reference):
    public = app.test_client()
    before = public.get("/").get_data()
    assert reference_problems(before.decode()) == []
    # An officer at work three days later: a preview must honour at=, not the clock.
    at_reference.move_to(REFERENCE_INSTANT + dt.timedelta(days=3, hours=2))
    make_admin(app)
    admin = app.test_client()
    assert log_in(admin).status_code == 303
    first = revision(app)
    # Open every edit form and save it unchanged, as an officer who only looks would.
    with app.extensions[STORE].session() as db:
        statements = db.scalars(sa.select(models.Statement.id).order_by(models.Statement.id))
        forms = [("/admin/site", "site-form")]
        forms += [(f"/admin/counters/{i}", "counter-form") for i in (1, 2)]
        forms += [(f"/admin/clocks/{i}", "clock-form") for i in (1, 2)]
        forms += [(f"/admin/statements/{i}", "statement-form") for i in statements]
    for url, form_id in forms:
        saved = resave(admin, url, form_id)
        assert saved.status_code == 303, (url, saved.get_data(as_text=True)[:2000])
    # A featured draft, and a feed never polled: nothing a reader sees.
    draft = {**NEW_STATEMENT, "status": "draft", "featured": "1", "slug": "secret-draft"}
    assert post_form(admin, "/admin/statements/new", draft).status_code == 303
    feed = {"url": "http://127.0.0.1:9/feed", "interval_minutes": "15", "language": "en"}
    assert post_form(admin, "/admin/feeds/new", feed).status_code == 303
    assert revision(app) >= first + len(forms) + 1  # every save was a write
    for query in ("at=2020-01-26T17:58", "at=2020-01-26T17:58&drafts=1&lang=en"):
        assert missing_lines(preview_page(admin, query)) == [], query  # date, clocks, counters
    assert reference_problems(preview_page(admin, "at=2020-01-26T17:58")) == []

    at_reference.move_to(REFERENCE_INSTANT)
    # Byte for byte: from this process, whose cache the writes emptied, to the signed-in officer
    # (who asks first, so the page is not one rendered for someone else) and a reader, and from a
    # process that never rendered it before.
    assert admin.get("/").get_data() == before
    assert public.get("/").get_data() == before
    fresh = create_app(
        {"DATABASE_URL": app.config["DATABASE_URL"], "INSTANCE_PATH": app.instance_path,
         "SECRET_KEY": "another process"}
    )  # fmt: skip
    try:
        assert fresh.test_client().get("/").get_data() == before
    finally:
        fresh.extensions[STORE].engine.dispose()
