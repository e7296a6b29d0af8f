"""Stored XSS never executes: payloads in a statement's title, summary and body come out inert
on the page, the archive, the statement page, the Atom feed, the admin and the APIs."""

from __future__ import annotations

import html
import html.parser
import json
import re
import xml.etree.ElementTree as ET

import markupsafe
import pytest
import sqlalchemy as sa

from dashboard.content import models, richtext
from dashboard.content.store import EXTENSION as STORE
from tests.helpers.admin import log_in, make_admin, post_form, statement_row

A = "{http://www.w3.org/2005/Atom}"
PAYLOADS = [
    "<script>alert('x1')</script>",
    "<img src=x onerror=\"alert('x2')\">",
    "<svg onload=alert('x3')>",
    "<a href=\"javascript:alert('x4')\">click</a>",
    "<iframe src=\"javascript:alert('x5')\"></iframe>",
    "\"><script>alert('x6')</script>",
    '<a hx-get="/admin/logout" hx-trigger="load">htmx</a>',
    "<style>body{display:none}</style>",
    "[md](javascript:alert('x7'))",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
]
ALL = " ".join(PAYLOADS)
# One payload a paragraph, after words that survive: the sanitised body is never empty.
BODY = "Kept *words*.\n\n" + "\n\n".join(PAYLOADS)
OUR_SCRIPTS = ("https://cdn.jsdelivr.net/npm/htmx.org@", "/static/")
RUNS_CODE = {"script", "svg", "iframe", "img", "style", "object", "embed", "math", "form"}


class _Elements(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "script" and (values.get("src") or "").startswith(OUR_SCRIPTS):
            return
        if (
            tag == "script"
            and values.get("type") == "application/ld+json"
            and not values.get("src")
        ):
            return  # a data block, never run; test_discoverable checks it cannot be closed early
        if tag == "iframe" and values.get("class") == "preview-frame":
            return  # the admin's own sandboxed preview
        if tag == "form" and (values.get("action") or "").startswith("/admin"):
            return  # the admin's own forms
        search = "/statements" in (values.get("action"), values.get("hx-get"))  # the archive's
        if tag == "form" and search:
            tag = "search-form"
        if tag in RUNS_CODE:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on") or name == "style":
                self.found.append(f"{tag}[{name}]")
            ours = (
                search or tag == "section" or "/admin" in (values.get("hx-post") or "")
            )  # live block, forms, the archive's search
            if name.startswith(("hx-", "data-hx")) and not ours:
                self.found.append(f"{tag}[{name}]")
            if name in ("href", "src", "action", "formaction") and value.startswith(
                ("javascript:", "data:", "vbscript:")
            ):
                self.found.append(f"{tag}[{name}={value[:20]}]")


def dangerous(text: str) -> list[str]:
    """Elements and attributes in the markup that could run code (text is never counted)."""
    parser = _Elements()
    parser.feed(text)
    parser.close()
    return parser.found


def test_the_sanitiser_keeps_only_the_allow_list():
    out = richtext.render(
        "## Heading\n\n# Top\n\nText *em* **strong** [ok](https://example.org) <br>\n\n"
        "- one\n- two\n\n1. first\n\n> quote\n\n<h5>five</h5><table><tr><td>cell</td></tr></table>"
        '<p style="color:red" class="x" id="y">styled</p><a href="/relative" title="t">rel</a>'
    )
    tags = set(re.findall(r"<(\w+)", out))
    assert tags <= {
        "p",
        "a",
        "em",
        "strong",
        "ul",
        "ol",
        "li",
        "blockquote",
        "h2",
        "h3",
        "h4",
        "br",
    }
    assert {"h2", "em", "strong", "ul", "ol", "li", "blockquote", "a", "br", "p"} <= tags
    assert '<a href="https://example.org" rel="noopener nofollow">ok</a>' in out
    assert "style=" not in out and "class=" not in out and "id=" not in out and "title=" not in out
    assert "Top" in out and "five" in out and "cell" in out  # unwrapped, not lost
    assert not dangerous(richtext.render(ALL))


@pytest.fixture
def poisoned(app, at_reference):
    result = app.test_cli_runner().invoke(args=["create-token", "xss"])
    token = re.search(r"^(dsh_\S+)$", result.output, re.M).group(1)
    response = app.test_client().post(
        "/api/v1/statements",
        json={
            "slug": "poisoned",
            "title": ALL,
            "summary": ALL,
            "body": BODY,
            "featured": True,
            "published": "2020-01-26T12:00:00Z",
            "source_url": "https://example.org/?q=<x>",
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.json
    return response.json


def test_payloads_are_inert_on_every_public_page(app, poisoned):
    client = app.test_client()
    for url in ("/", "/?lang=ru", "/statements", "/statements/poisoned"):
        page = client.get(url).get_data(as_text=True)
        assert "&lt;script&gt;alert(&#39;x1&#39;)&lt;/script&gt;" in page, url  # the title
        assert not dangerous(page), (url, dangerous(page))
    fragment = client.get("/", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert not dangerous(fragment)


def test_payloads_are_inert_in_the_atom_feed(app, poisoned):
    data = app.test_client().get("/feed.atom").get_data(as_text=True)
    feed = ET.fromstring(data)
    entry = feed.find(f"{A}entry")
    # Title and summary are text (escaped once, read back exactly); the content is the
    # sanitised HTML, escaped once, as type="html" wants.
    assert entry.findtext(f"{A}title") == ALL and entry.findtext(f"{A}summary") == ALL
    assert not dangerous(entry.findtext(f"{A}content") or "")  # may be empty: all was code
    assert "<script" not in data and "<img" not in data  # no markup in the XML itself


def poisoned_in(data) -> list[dict]:
    """Every object in an API answer that is the poisoned statement."""
    if isinstance(data, list):
        return [found for item in data for found in poisoned_in(item)]
    if not isinstance(data, dict):
        return []
    found = [data] if data.get("slug") == "poisoned" else []
    return found + poisoned_in(list(data.values()))


def test_payloads_are_inert_in_the_apis(app, poisoned):
    client = app.test_client()
    sanitised = richtext.render(BODY)
    # What survives sanitising: the words, escaped text and links' words without their hrefs.
    assert "<p>Kept <em>words</em>.</p>" in sanitised
    assert "<p>&lt;svg onload=alert('x3')&gt;</p>" in sanitised
    assert '<a rel="noopener nofollow">click</a>' in sanitised and not dangerous(sanitised)
    answers = {"POST /api/v1/statements": poisoned}
    for url in ("/api/v1/statements/poisoned", "/api/v1/statements", "/api/v1/snapshot"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.mimetype == "application/json", url
        assert response.headers["X-Content-Type-Options"] == "nosniff", url
        # Raw text in JSON, escaped only as JSON strings are, for clients to escape as text.
        assert json.dumps(ALL) in response.get_data(as_text=True), url
        answers[url] = json.loads(response.get_data(as_text=True))
    for url, data in answers.items():
        [statement] = poisoned_in(data)
        assert (statement["title"], statement["summary"]) == (ALL, ALL), url
        assert statement["body"] == BODY, url
        assert statement["body_html"] == sanitised, url
    assert answers["/api/v1/snapshot"]["featured"]["slug"] == "poisoned"


def test_payloads_are_inert_in_the_admin(app, poisoned):
    make_admin(app)
    client = app.test_client()
    log_in(client)
    pages = ["/admin/statements", "/admin/", "/admin/preview?at=2020-01-26T17:58"]
    pages.append(f"/admin/statements/{statement_row(app, 'poisoned').id}")
    for url in pages:
        page = client.get(url).get_data(as_text=True)
        assert not dangerous(page), (url, dangerous(page))
    preview = client.get("/admin/preview?at=2020-01-26T17:58").get_data(as_text=True)
    inner = html.unescape(re.search(r'srcdoc="([^"]*)"', preview).group(1))
    assert not dangerous(inner)
    assert " sandbox " in preview  # and the frame may run nothing even so


def script(name: str) -> str:
    return f"<script>alert('{name}')</script>"


SITE_PAYLOADS = {name: script(name) for name in ("title", "contact", "event", "note", "clock")}


@pytest.mark.system  # a second or more: in the full suite, not the fast tier
def test_xss_in_site_settings_and_counters_is_escaped(app, at_reference):
    make_admin(app)
    client = app.test_client()
    log_in(client)
    p = SITE_PAYLOADS
    site = {"title": p["title"], "timezone": "Europe/London", "contact": p["contact"],
            "locale": "en", "latest_count": "5"}  # fmt: skip
    saved = post_form(client, "/admin/site", site)
    assert (saved.status_code, saved.location) == (303, "/admin/site"), saved.text
    counter = {"slug": "xss", "since": "2020-01-01", "event": p["event"], "note": p["note"],
               "timezone": ""}  # fmt: skip
    saved = post_form(client, "/admin/counters/new", counter, htmx=True)  # as htmx sends it
    assert (saved.status_code, saved.headers.get("HX-Redirect")) == (204, "/admin/counters")
    saved = post_form(client, "/admin/clocks/new", {"label": p["clock"], "timezone": "UTC"})
    assert (saved.status_code, saved.location) == (303, "/admin/clocks"), saved.text
    with app.extensions[STORE].session() as db:
        row = db.get(models.Site, 1)
        assert (row.title, row.contact) == (p["title"], p["contact"])
        row = db.scalars(sa.select(models.Counter).where(models.Counter.slug == "xss")).one()
        assert (row.event, row.note) == (p["event"], p["note"])
        assert db.scalars(sa.select(models.Clock).where(models.Clock.label == p["clock"])).one()

    shown = {
        "/": ("title", "contact", "event", "note", "clock"),
        "/statements": ("title",),
        "/embed": ("event", "note", "clock"),
        "/board": ("title", "event", "note", "clock"),
        "/admin/": ("title",),
        "/admin/counters": ("event",),
        "/admin/clocks": ("clock",),
        "/admin/site": ("title", "contact"),
    }
    for url, names in shown.items():
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        for name in names:  # as text, escaped once
            assert str(markupsafe.escape(p[name])) in page, (url, name)
        assert not [name for name, raw in p.items() if raw in page], url
        assert "<script>alert(" not in page, url
    feed = client.get("/feed.atom").get_data(as_text=True)
    assert ET.fromstring(feed).findtext(f"{A}title") == p["title"]  # escaped once, read back
    assert "<script>" not in feed
