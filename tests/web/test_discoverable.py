"""What search engines and social networks read: a statement's canonical link, Open Graph and
Twitter meta and its JSON-LD NewsArticle (valid JSON, `</` escaped), absolute addresses filled
per request from cached bytes; the page and the archive carry canonical links and Open Graph."""

from __future__ import annotations

import datetime as dt
import html as markup
import json
import re

import sqlalchemy as sa
import time_machine

from dashboard.content import editing, models
from dashboard.content.store import current_store

AT = dt.datetime(2020, 2, 21, 12, 0, tzinfo=dt.UTC)
ENGLISH = "consular-section-24-february-2020"


def metas(page: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for key, value in re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)">', page):
        found.setdefault(key, []).append(markup.unescape(value))
    return found


def json_ld(page: str) -> dict:
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return json.loads(script.group(1))


def test_a_statement_page_carries_canonical_open_graph_and_json_ld(app):
    hostile = "Closing </script><script>alert(1)</script> & more"
    with app.app_context():
        editing.save_statement(
            {"title": hostile, "slug": "hostile-2020", "summary": "S <b>", "published": AT}
        )
    client = app.test_client()
    with time_machine.travel(AT, tick=False):
        page = client.get(f"/statements/{ENGLISH}", base_url="https://embassy.example").text
        again = client.get(f"/statements/{ENGLISH}", base_url="http://other.example").text
        bad = client.get("/statements/hostile-2020").text
    url = f"https://embassy.example/statements/{ENGLISH}"
    assert f'<link rel="canonical" href="{url}">' in page
    found = metas(page)
    assert found["og:type"] == ["article"] and found["og:url"] == [url]
    assert found["og:title"] == ["Consular Section of the Embassy on 24 February 2020"]
    assert found["og:description"][0].startswith("Due to the public holiday")
    assert found["og:locale"] == ["en_US"] and found["og:locale:alternate"] == ["ru_RU"]
    assert found["article:published_time"] == ["2020-02-20T09:00:00+00:00"]
    assert found["og:site_name"] == ["Embassy of the Russian Federation in the United Kingdom"]
    # Its share card, large: a statement's preview is its date and title, drawn.
    assert found["twitter:card"] == ["summary_large_image"]
    assert found["og:image"] == [f"{url}/card.png?lang=en"] == found["twitter:image"]
    article = json_ld(page)
    assert article["image"] == f"{url}/card.png?lang=en"
    assert article["@type"] == "NewsArticle" and article["inLanguage"] == "en"
    assert article["datePublished"] == article["dateModified"] == "2020-02-20T09:00:00+00:00"
    assert article["url"] == url and article["publisher"]["@type"] == "Organization"
    # The cached bytes are the same; each request gets its own origin.
    assert f"http://other.example/statements/{ENGLISH}" in again
    # A title cannot end the script; the JSON still says it as it is.
    assert "</script><script>" not in bad and json_ld(bad)["headline"] == hostile


def test_the_page_and_the_archive_carry_canonical_links_and_open_graph(app):
    client = app.test_client()
    with time_machine.travel(AT, tick=False):
        page = client.get("/?lang=ru").text
        archive = client.get("/statements?lang=en").text
    assert '<link rel="canonical" href="http://localhost/?lang=ru">' in page
    assert metas(page)["og:title"] == ["Посольство Российской Федерации в Соединённом Королевстве"]
    assert metas(page)["og:locale"] == ["ru_RU"] and metas(page)["og:type"] == ["website"]
    assert '<link rel="canonical" href="http://localhost/statements?lang=en">' in archive
    assert metas(archive)["og:url"] == ["http://localhost/statements?lang=en"]
    # Shared, the page previews as its first counter's card, in the page's language.
    card = "http://localhost/counters/salisbury/card.png?lang=ru"
    assert metas(page)["og:image"] == [card] == metas(page)["twitter:image"]
    assert metas(page)["twitter:card"] == ["summary_large_image"]
    with time_machine.travel(AT, tick=False):
        drawn = client.get(card)
    assert drawn.status_code == 200 and drawn.mimetype == "image/png"


def test_a_page_without_counters_has_no_card(app):
    with app.app_context():
        with current_store().session() as db:
            ids = db.scalars(sa.select(models.Counter.id)).all()
        assert ids
        for counter_id in ids:  # as the admin deletes them
            editing.delete_row(models.Counter, counter_id)
    with time_machine.travel(AT, tick=False):
        page = app.test_client().get("/?lang=en").text
    assert "og:image" not in metas(page) and metas(page)["twitter:card"] == ["summary"]
