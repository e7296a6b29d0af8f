"""/sitemap.xml against the sitemaps.org schema: the page, the archive, the topics and every
statement readers see, each with lastmod and hreflang alternates; a scheduled statement at its
instant only; past the limit an index of numbered sitemaps. /robots.txt names it and keeps
/admin and preview links out."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import time_machine
import xmlschema

DATA = Path(__file__).parent.parent / "data" / "sitemaps"
S = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
X = "{http://www.w3.org/1999/xhtml}"
BEFORE = dt.datetime(2020, 1, 26, 17, 58, tzinfo=dt.UTC)
AFTER = dt.datetime(2020, 2, 21, 12, 0, tzinfo=dt.UTC)
ORIGINAL = "https://embassy.example/statements/konsulskii-otdel-24-fevralia-2020"
ENGLISH = "https://embassy.example/statements/consular-section-24-february-2020"


@pytest.fixture(scope="module")
def schemas():
    """The urlset schema with the xhtml:link one beside it; no address outside tests/data."""
    sandbox = {"allow": "sandbox", "base_url": str(DATA)}
    urlset = xmlschema.XMLSchema(
        [str(DATA / "sitemap.xsd"), str(DATA / "xhtml-link.xsd")], **sandbox
    )
    return urlset, xmlschema.XMLSchema(str(DATA / "siteindex.xsd"), **sandbox)


def fetch(app, at: dt.datetime, path: str = "/sitemap.xml"):
    with time_machine.travel(at, tick=False):
        return app.test_client().get(path, base_url="https://embassy.example")


def test_the_sitemap_lists_what_readers_see_with_alternates(app, schemas):
    early = fetch(app, BEFORE)
    assert early.status_code == 200 and early.mimetype == "application/xml"
    schemas[0].validate(early.data)
    locs = [u.findtext(f"{S}loc") for u in ET.fromstring(early.data).iter(f"{S}url")]
    assert locs[:2] == ["https://embassy.example/", "https://embassy.example/statements"]
    assert "https://embassy.example/topics/consular" in locs
    assert ORIGINAL not in locs  # scheduled then: not listed before its instant
    assert "https://embassy.example/counters/salisbury" in locs
    # the page, the archive, the counters, the topics, the statements
    assert len(locs) == 2 + 2 + 9 + 11

    late = fetch(app, AFTER).data
    schemas[0].validate(late)
    urls = {u.findtext(f"{S}loc"): u for u in ET.fromstring(late).iter(f"{S}url")}
    assert {ORIGINAL, ENGLISH} <= set(urls)
    english = urls[ENGLISH]
    assert english.findtext(f"{S}lastmod").startswith("20")
    alternates = {a.get("hreflang"): a.get("href") for a in english.iter(f"{X}link")}
    assert alternates == {"ru": ORIGINAL, "en": ENGLISH, "x-default": ORIGINAL}
    page = {
        a.get("hreflang"): a.get("href") for a in urls["https://embassy.example/"].iter(f"{X}link")
    }
    assert page == {
        "en": "https://embassy.example/?lang=en",
        "ru": "https://embassy.example/?lang=ru",
    }


def test_past_the_limit_it_becomes_an_index_of_numbered_sitemaps(app, schemas):
    app.config["SITEMAP_URLS"] = 10
    index = fetch(app, AFTER)
    schemas[1].validate(index.data)
    parts = [s.findtext(f"{S}loc") for s in ET.fromstring(index.data).iter(f"{S}sitemap")]
    assert parts == [f"https://embassy.example/sitemap-{n}.xml" for n in (1, 2, 3)]
    seen = []
    for number in (1, 2, 3):
        part = fetch(app, AFTER, f"/sitemap-{number}.xml")
        schemas[0].validate(part.data)
        seen += [u.findtext(f"{S}loc") for u in ET.fromstring(part.data).iter(f"{S}url")]
    assert len(seen) == len(set(seen)) == 2 + 2 + 9 + 13  # the counters too
    assert fetch(app, AFTER, "/sitemap-4.xml").status_code == 404


def test_robots_names_the_sitemap_and_keeps_admin_and_previews_out(app):
    text = fetch(app, AFTER, "/robots.txt").text
    assert "Sitemap: https://embassy.example/sitemap.xml" in text.splitlines()
    for rule in ("Disallow: /admin", "Disallow: /*?preview=", "Disallow: /*&preview="):
        assert rule in text.splitlines()
