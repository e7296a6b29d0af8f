"""What readers see of topics: /topics/<slug> newest first and paged by keyset, its Atom feed,
the archive's topic filter beside the language filter, and a statement page's topic links,
each named in the reader's language; drafts nowhere, an unknown topic a 404 or a 400."""

from __future__ import annotations

import datetime as dt
import io
import re
import xml.etree.ElementTree as ET

import feedparser
import pytest
import sqlalchemy as sa
import time_machine

from dashboard.cache.live import EXTENSION as LIVE
from dashboard.content import editing, models, store
from dashboard.content.filters import StatementFilters
from dashboard.content.store import EXTENSION as STORE
from tests.helpers.reference import REFERENCE_INSTANT

A = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# The demo's statements about Russia and the United Kingdom, newest first.
RUSSIA_UK = [
    "kelin-letter-to-the-times-2020",
    "putin-bbc-question-2019",
    "kelin-russian-british-business-forum-2019",
    "syromolotov-cyber-war-reply-2019",
]
LISTED = re.compile(r'<li class="statement-item"[^>]*>\s*<h2[^>]*>.*?href="/statements/([^"]+)"')


def listed(html: str) -> list[str]:
    return LISTED.findall(html)


def link(html: str, text: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)"[^>]*>{re.escape(text)}</a>', html)
    return found.group(1).replace("&amp;", "&") if found else None


def nav(html: str, name: str) -> str:
    """The markup of the navigation with this class."""
    return re.search(rf'<nav class="{name}".*?</nav>', html, re.S).group()


def add_statement(app, published: str, **values) -> None:
    """As the admin and the API save one: checked, linked to its topics, caches dropped."""
    day = dt.date.fromisoformat(published)
    with app.app_context():
        editing.save_statement({"language": "en", **values, "published": day})


@pytest.fixture
def small_pages(app):
    app.config["STATEMENTS_PER_PAGE"] = 3


def test_a_topic_page_lists_its_statements_newest_first_in_the_readers_language(
    client, at_reference
):
    response = client.get("/topics/russia-uk")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert listed(page) == RUSSIA_UK
    assert '<h1 lang="en">Russia and the United Kingdom</h1>' in page
    assert "<title>Russia and the United Kingdom · Embassy of the Russian" in page
    assert (
        '<link rel="alternate" type="application/atom+xml" title="Russia and the United Kingdom"'
        ' href="/topics/russia-uk/feed.atom">'
    ) in page
    assert response.headers["Cache-Control"].startswith("public, max-age=")
    again = client.get("/topics/russia-uk", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304

    russian = client.get("/topics/russia-uk?lang=ru").get_data(as_text=True)
    assert '<html lang="ru">' in russian and '<h1 lang="ru">Россия и Великобритания</h1>' in russian
    assert "Лента Atom по этой теме" in russian and listed(russian) == RUSSIA_UK


def test_a_topic_is_paged_by_keyset_like_the_archive(app, client, small_pages, at_reference):
    first = client.get("/topics/russia-uk").get_data(as_text=True)
    assert listed(first) == RUSSIA_UK[:3] and link(first, "Newest") is None
    older = link(first, "Older statements")
    assert re.fullmatch(r"/topics/russia-uk\?before=2019-11-29T00:00:00Z_\d+", older)
    # A newer statement arriving in between moves nothing on the pages after the first.
    add_statement(app, title="Newer", published="2020-01-25", topics=["russia-uk"])
    assert listed(client.get("/topics/russia-uk").get_data(as_text=True))[0].startswith("newer")
    second = client.get(older).get_data(as_text=True)
    assert listed(second) == RUSSIA_UK[3:]
    assert link(second, "Newest") == "/topics/russia-uk"
    assert link(second, "Older statements") is None
    assert client.get("/topics/russia-uk?before=yesterday").status_code == 400


@pytest.mark.parametrize("sort_cost", [1, 10**9], ids=["links-sorted", "statements-walked"])
def test_both_ways_of_reading_a_topic_give_the_same_pages(app, monkeypatch, sort_cost):
    """A small topic's links are read and sorted, a large one's statements walked newest first
    (store.with_topic): the costs decide, never the answer."""
    monkeypatch.setattr(store, "SORT_COST", sort_cost)
    at = REFERENCE_INSTANT
    with app.extensions[STORE].session() as db:
        for topic in db.scalars(sa.select(models.Topic.slug)):
            only = StatementFilters(topic=topic)
            everything, _ = store.statements_page(db, 100, at=at, filters=only)
            walked, before = [], None
            while True:
                items, before = store.statements_page(db, 2, before, at=at, filters=only)
                walked += items
                if before is None:
                    break
            assert [i.slug for i in walked] == [i.slug for i in everything], topic
            assert all(topic in i.extra["topics"] for i in walked), topic
            assert walked or topic == "consular"  # its one statement comes after the instant


def test_an_unknown_topic_is_not_found(client, at_reference):
    for url in ("/topics/culture", "/topics/OSCE", "/topics/culture/feed.atom"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "There is no topic called" in response.get_data(as_text=True)


def test_the_topic_feed_is_valid_atom_of_the_topic_alone(client, at_reference):
    response = client.get("/topics/russia-uk/feed.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    assert feed.tag == f"{A}feed" and feed.get(XML_LANG) == "en"
    assert feed.findtext(f"{A}id") == "http://localhost/topics/russia-uk"
    assert feed.findtext(f"{A}title") == (
        "Russia and the United Kingdom · Embassy of the Russian Federation in the United Kingdom"
    )
    assert feed.find(f"{A}author/{A}name") is not None
    links = {each.get("rel"): each.get("href") for each in feed.findall(f"{A}link")}
    assert links == {
        "self": "http://localhost/topics/russia-uk/feed.atom",
        "alternate": "http://localhost/topics/russia-uk",
    }
    entries = feed.findall(f"{A}entry")
    ids = [entry.findtext(f"{A}id") for entry in entries]
    assert ids == [f"http://localhost/statements/{slug}" for slug in RUSSIA_UK]
    stamp = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
    for entry in entries:
        assert stamp.fullmatch(entry.findtext(f"{A}updated"))
        assert stamp.fullmatch(entry.findtext(f"{A}published"))
        terms = {c.get("term"): c.get("label") for c in entry.findall(f"{A}category")}
        assert terms["russia-uk"] == "Russia and the United Kingdom"
    assert feed.findtext(f"{A}updated") == max(e.findtext(f"{A}updated") for e in entries)
    parsed = feedparser.parse(io.BytesIO(response.data))
    assert parsed.bozo == 0 and parsed.version == "atom10" and len(parsed.entries) == 4
    assert parsed.entries[0].tags[1]["term"] == "history"  # the letter is about history too
    again = client.get(
        "/topics/russia-uk/feed.atom", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304

    russian = ET.fromstring(client.get("/topics/russia-uk/feed.atom?lang=ru").data)
    assert russian.get(XML_LANG) == "ru"
    assert russian.findtext(f"{A}title").startswith("Россия и Великобритания · ")
    assert russian.find(f"{A}link[@rel='self']").get("href").endswith("feed.atom?lang=ru")
    category = russian.find(f"{A}entry/{A}category[@term='russia-uk']")
    assert category.get("label") == "Россия и Великобритания"
    assert client.get("/topics/russia-uk/feed.atom?lang=xx").status_code == 400


def test_the_archive_filters_by_topic_together_with_language_and_paging(
    app, client, small_pages, at_reference
):
    add_statement(
        app, title="Заявление", slug="zayavlenie", published="2020-01-20", language="ru",
        topics=["russia-uk"],
    )  # fmt: skip
    both = client.get("/statements?topic=russia-uk").get_data(as_text=True)
    assert listed(both) == ["zayavlenie", *RUSSIA_UK[:2]]
    assert '<span aria-current="true" lang="en">Russia and the United Kingdom</span>' in both
    assert link(both, "All topics") == "/statements"
    # The language filter keeps the topic, and the topic filter the language.
    assert link(nav(both, "language-filter"), "Русский") == (
        "/statements?language=ru&topic=russia-uk"
    )
    older = link(both, "Older statements")
    assert "topic=russia-uk" in older and listed(client.get(older).text) == RUSSIA_UK[2:]

    russian = client.get("/statements?topic=russia-uk&language=ru").get_data(as_text=True)
    assert listed(russian) == ["zayavlenie"]
    assert link(nav(russian, "topic-filter"), "OSCE") == "/statements?topic=osce&language=ru"
    english = client.get("/statements?language=en&topic=russia-uk").get_data(as_text=True)
    assert listed(english) == RUSSIA_UK[:3]
    second = client.get(link(english, "Older statements")).get_data(as_text=True)
    assert listed(second) == RUSSIA_UK[3:]
    assert link(second, "Newest") == "/statements?language=en&topic=russia-uk"

    unknown = client.get("/statements?topic=culture")
    assert unknown.status_code == 400 and "&#39;topic&#39;: there is no topic" in unknown.text
    assert client.get("/statements?topic=Not%20a%20slug").status_code == 400


def test_a_search_narrows_to_a_topic_and_its_links_keep_it(client, at_reference):
    everywhere = listed(client.get("/statements?q=lavrov").get_data(as_text=True))
    india = client.get("/statements?q=lavrov&topic=india").get_data(as_text=True)
    assert sorted(listed(india)) == ["lavrov-raisina-dialogue-2020", "lavrov-times-of-india-2020"]
    assert len(everywhere) > 2
    assert '<input type="hidden" name="topic" value="india">' in india  # a new search keeps it
    assert link(nav(india, "topic-filter"), "All topics") == "/statements?q=lavrov"
    assert link(nav(india, "topic-filter"), "OSCE") == "/statements?topic=osce&q=lavrov"
    found = client.get("/api/v1/statements?q=lavrov&topic=osce").json["statements"]
    assert [s["slug"] for s in found] == ["lavrov-osce-bratislava-2019"]
    assert client.get("/statements?q=lavrov&topic=culture").status_code == 400


def test_a_statement_page_links_its_topics_in_the_readers_language(client, at_reference):
    page = client.get("/statements/lavrov-osce-bratislava-2019").get_data(as_text=True)
    assert (
        '<p class="statement-topics" lang="en">Topics: '
        '<a href="/topics/european-security" rel="tag" lang="en">European security</a>, '
        '<a href="/topics/osce" rel="tag" lang="en">OSCE</a></p>'
    ) in page
    russian = client.get("/statements/lavrov-osce-bratislava-2019?lang=ru").get_data(as_text=True)
    assert 'lang="ru">Темы: <a href="/topics/european-security" rel="tag" lang="ru">' in russian
    assert '<a href="/topics/osce" rel="tag" lang="ru">ОБСЕ</a>' in russian


def test_a_name_without_a_translation_keeps_its_own_language(app, client, at_reference):
    with app.app_context():
        editing.save_topic({"slug": "culture", "name": "Culture <matters>"}, None)
    add_statement(app, title="Visas", slug="visas", published="2020-01-25", topics=["culture"])
    page = client.get("/statements/visas?lang=ru").get_data(as_text=True)
    assert '<a href="/topics/culture" rel="tag" lang="en">Culture &lt;matters&gt;</a>' in page
    topic = client.get("/topics/culture?lang=ru").get_data(as_text=True)
    assert '<h1 lang="en">Culture &lt;matters&gt;</h1>' in topic and "<matters>" not in topic
    feed = client.get("/topics/culture/feed.atom").get_data(as_text=True)
    assert '<title type="text">Culture &lt;matters&gt; · ' in feed


def test_drafts_are_on_no_topic_page_feed_filter_or_list(app, client, at_reference):
    with app.extensions[STORE].session() as db, db.begin():
        db.execute(
            sa.update(models.Statement)
            .where(models.Statement.slug == RUSSIA_UK[0])
            .values(draft=True)
        )
        store.mark_changed(db)
    app.extensions[LIVE].invalidate()
    for url in (
        "/topics/russia-uk",
        "/topics/russia-uk/feed.atom",
        "/statements?topic=russia-uk",
        "/api/v1/statements?topic=russia-uk",
    ):
        text = client.get(url).get_data(as_text=True)
        assert RUSSIA_UK[0] not in text and RUSSIA_UK[1] in text, url


TOPIC_VIEWS = (
    "/topics/russia-uk",
    "/topics/russia-uk/feed.atom",
    "/statements?topic=russia-uk",
    "/api/v1/statements?topic=russia-uk",
)


def test_a_scheduled_statement_joins_its_topic_at_its_instant_and_leaves_at_expiry(app, client):
    due = REFERENCE_INSTANT + dt.timedelta(seconds=90)
    with app.app_context():
        editing.save_statement(
            {"title": "Embargoed", "slug": "embargoed-on-the-uk", "published": due,
             "expires": due + dt.timedelta(days=1), "topics": ["russia-uk"]}
        )  # fmt: skip
    with time_machine.travel(REFERENCE_INSTANT, tick=False):
        for url in TOPIC_VIEWS:
            response = client.get(url)
            assert "embargoed-on-the-uk" not in response.get_data(as_text=True), url
            assert int(response.headers["Cache-Control"].split("max-age=")[1]) <= 90, url
    with time_machine.travel(due, tick=False):
        for url in TOPIC_VIEWS:
            assert "embargoed-on-the-uk" in client.get(url).get_data(as_text=True), url
    with time_machine.travel(due + dt.timedelta(days=1), tick=False):
        for url in TOPIC_VIEWS:
            assert "embargoed-on-the-uk" not in client.get(url).get_data(as_text=True), url


def test_the_api_lists_a_topics_statements_and_its_pages_keep_the_topic(client, at_reference):
    first = client.get("/api/v1/statements?topic=russia-uk&limit=3").json
    assert [s["slug"] for s in first["statements"]] == RUSSIA_UK[:3]
    assert all("russia-uk" in s["topics"] for s in first["statements"])
    assert first["statements"][0]["topics"] == ["russia-uk", "history"]
    assert "topic=russia-uk" in first["next"]
    second = client.get(first["next"]).json
    assert [s["slug"] for s in second["statements"]] == RUSSIA_UK[3:] and second["next"] is None
    one = client.get("/api/v1/statements/lavrov-osce-bratislava-2019").json
    assert one["topics"] == ["european-security", "osce"]
    unknown = client.get("/api/v1/statements?topic=culture")
    assert unknown.status_code == 400 and unknown.json == {
        "error": "'topic': there is no topic 'culture'"
    }
