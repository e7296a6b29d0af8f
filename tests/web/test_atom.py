"""/feed.atom: valid Atom 1.0 of the latest published statements, advertised by every page."""

from __future__ import annotations

import datetime as dt
import io
import re
import xml.etree.ElementTree as ET

import feedparser
import sqlalchemy as sa

from dashboard.cache.live import EXTENSION as LIVE
from dashboard.content import models, richtext, store
from dashboard.content.store import EXTENSION as STORE

A = "{http://www.w3.org/2005/Atom}"
TRICKY = 'Quotes " & <angle> brackets ]]> and \u00e9'


def test_atom_is_valid_and_complete(app, client, at_reference):
    response = client.get("/feed.atom")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    assert response.headers["ETag"] and response.headers["Cache-Control"].startswith("public")
    feed = ET.fromstring(response.data)
    assert feed.tag == f"{A}feed"
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert feed.findtext(f"{A}id") == "http://localhost/"
    assert feed.findtext(f"{A}title") == "Embassy of the Russian Federation in the United Kingdom"
    assert feed.find(f"{A}author/{A}name") is not None
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{A}link")}
    assert links == {"self": "http://localhost/feed.atom", "alternate": "http://localhost/"}
    entries = feed.findall(f"{A}entry")
    assert len(entries) == 11
    ids = [entry.findtext(f"{A}id") for entry in entries]
    assert (
        len(set(ids)) == 11 and ids[0] == "http://localhost/statements/lavrov-raisina-dialogue-2020"
    )
    stamp = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
    for entry in entries:
        assert stamp.match(entry.findtext(f"{A}updated"))
        assert stamp.match(entry.findtext(f"{A}published"))
        assert entry.find(f"{A}title").get("type") == "text"
        assert entry.find(f"{A}link[@rel='alternate']").get("href") == entry.findtext(f"{A}id")
    assert feed.findtext(f"{A}updated") == max(e.findtext(f"{A}updated") for e in entries)
    parsed = feedparser.parse(io.BytesIO(response.data))
    assert parsed.bozo == 0 and parsed.version == "atom10" and len(parsed.entries) == 11
    again = client.get("/feed.atom", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


TRICKY_BODY = (
    '<p onclick="x()">Body & <a href="https://e.org/?a=1&b=2">link</a></p><script>alert(1)</script>'
)


def test_atom_escapes_text_and_carries_sanitised_html(app, client, at_reference):
    the_store = app.extensions[STORE]
    with the_store.session() as db, db.begin():
        db.add(
            models.Statement(
                slug="tricky",
                published=dt.datetime(2020, 1, 26, 12, tzinfo=dt.UTC),
                title=TRICKY,
                summary=TRICKY,
                body=TRICKY_BODY,
                body_html=richtext.render(TRICKY_BODY),  # as every writer stores it
                source_url="https://e.org/?a=1&b=2",
                language="fr",
            )
        )
        store.mark_changed(db)
    app.extensions[LIVE].invalidate()
    data = client.get("/feed.atom").data
    entry = ET.fromstring(data).find(f"{A}entry")
    assert entry.findtext(f"{A}title") == TRICKY and entry.findtext(f"{A}summary") == TRICKY
    assert entry.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"
    assert entry.find(f"{A}link[@rel='related']").get("href") == "https://e.org/?a=1&b=2"
    content = entry.find(f"{A}content")
    assert content.get("type") == "html"
    assert content.text == (
        '<p>Body &amp; <a href="https://e.org/?a=1&amp;b=2" rel="noopener nofollow">link</a></p>'
    )
    assert b"<script" not in data and b"alert(1)" not in data and b"onclick" not in data


def test_drafts_are_not_in_the_feed(app, client, at_reference):
    with app.extensions[STORE].session() as db, db.begin():
        db.execute(
            sa.update(models.Statement)
            .where(models.Statement.slug == "lavrov-raisina-dialogue-2020")
            .values(draft=True)
        )
        store.mark_changed(db)
    app.extensions[LIVE].invalidate()
    data = client.get("/feed.atom").get_data(as_text=True)
    assert "lavrov-raisina-dialogue-2020" not in data and data.count("<entry") == 10


def test_every_page_advertises_the_feed(client, at_reference):
    for url in ("/", "/statements", "/statements/lavrov-times-of-india-2020"):
        html = client.get(url).get_data(as_text=True)
        assert re.search(
            r'<link rel="alternate" type="application/atom\+xml" title="[^"]+" href="/feed.atom">',
            html,
        ), url


def test_a_feed_in_another_language_links_to_itself(client, at_reference):
    """/feed.atom and /feed.atom?lang=… are kept apart, whichever a minute sees first, and
    each links to itself."""
    atom = "{http://www.w3.org/2005/Atom}"
    for url in ("/feed.atom", "/feed.atom?lang=en", "/feed.atom?lang=ru", "/feed.atom"):
        feed = ET.fromstring(client.get(url).data)
        assert feed.find(f"{atom}link[@rel='self']").get("href") == "http://localhost" + url
        language = "ru" if "lang=ru" in url else "en"
        assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == language
    refused = client.get("/feed.atom?lang=xx")
    assert refused.status_code == 400 and "&#39;lang&#39; must be one of" in refused.text
