"""The one language registry: a language registered there is served by every view and warmed
by the scheduler, with nothing else to edit."""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET

import pytest

from dashboard.cache import keys
from dashboard.cache.live import EXTENSION as LIVE
from dashboard.content import sitefile, store
from dashboard.content.store import EXTENSION as STORE
from dashboard.core import timecalc
from dashboard.i18n import languages
from dashboard.web.embed.query import EmbedQuery
from tests.helpers.languages import ESPERANTO, registered
from tests.helpers.reference import REFERENCE_INSTANT, visible_text

# What the demo shows at the reference instant in Esperanto (Babel's CLDR long date).
DATE_LINE = "26 Januaro 2020"
SALISBURY = "693 tagoj pasis ekde the Salisbury incident"


@pytest.fixture
def throwaway():
    """A language the dashboard does not ship, registered for the test alone."""
    with registered() as language:
        yield language


def test_a_registered_language_is_offered_and_chosen(client, throwaway, at_reference):
    page = client.get("/", headers={"Accept-Language": "eo,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="eo">' in page
    assert DATE_LINE in visible_text(page)
    menu = client.get("/?lang=en").get_data(as_text=True)
    assert 'hreflang="eo"' in menu and "Esperanto" in menu


def test_every_view_renders_in_a_registered_language(client, throwaway, at_reference):
    page = client.get("/?lang=eo").get_data(as_text=True)
    assert DATE_LINE in visible_text(page)
    assert '<span class="counter-days">693</span> tagoj pasis ekde the Salisbury incident' in page

    fragment = client.get("/?lang=eo", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.startswith('<section id="live"') and DATE_LINE in fragment
    assert "<html" not in fragment

    embed = client.get("/embed?lang=eo").get_data(as_text=True)
    assert '<html lang="eo">' in embed and SALISBURY in visible_text(embed)

    svg = ET.fromstring(client.get("/badge/salisbury.svg?lang=eo").data)
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    # The event is the site's own words, kept whole as the label.
    assert "693 tagoj" in texts and "The Salisbury incident" in texts
    badge = client.get("/badge/salisbury.json?lang=eo").json
    assert badge["message"] == "693 tagoj"

    snapshot = client.get("/api/v1/snapshot?lang=eo").json
    assert snapshot["locale"] == "eo" and snapshot["date"]["text"] == DATE_LINE
    assert snapshot["counters"][0]["text"].startswith(SALISBURY)

    feed = ET.fromstring(client.get("/feed.atom?lang=eo").data)
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "eo"
    self_link = feed.find("{http://www.w3.org/2005/Atom}link[@rel='self']").get("href")
    assert self_link.endswith("/feed.atom?lang=eo")


def test_an_unknown_language_is_refused_by_name(client, at_reference):
    for url in ("/embed?lang=eo", "/badge/salisbury.json?lang=eo", "/feed.atom?lang=eo"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert "'lang' must be one of en, ru" in html.unescape(response.get_data(as_text=True))
    assert client.get("/api/v1/snapshot?lang=eo").status_code == 400


def test_the_scheduler_warms_a_registered_language(app, throwaway):
    written = app.extensions[LIVE].warm(REFERENCE_INSTANT)
    minute = timecalc.floor_minute(REFERENCE_INSTANT)
    embed = EmbedQuery(clocks=None, counters=None, locale="eo").query_string()
    wanted = {
        keys.page("eo"): DATE_LINE,
        keys.live_block("eo"): DATE_LINE,
        keys.snapshot_json("eo"): DATE_LINE,
        keys.embed(embed, fragment=False): "tagoj pasis ekde",
        keys.badge("svg", "salisbury", "flat", "eo", None): "693 tagoj",
    }
    with app.extensions[STORE].session() as session:
        for key, text in wanted.items():
            row = store.rendered_bytes(session, key, minute)
            assert row is not None, f"{key} was not warmed"
            assert text in row.body.decode("utf-8"), key
    with_throwaway = written
    languages.unregister("eo")
    assert app.extensions[LIVE].warm(REFERENCE_INSTANT) < with_throwaway
    languages.register(ESPERANTO)  # the fixture removes it


def test_a_site_file_may_name_a_registered_language(throwaway, tmp_path):
    text = sitefile.DEMO_PATH.read_text(encoding="utf-8").replace('locale = "en"', 'locale = "eo"')
    assert 'locale = "eo"' in text
    assert sitefile.parse(text, "site.toml").site["locale"] == "eo"
    languages.unregister("eo")
    try:
        with pytest.raises(sitefile.SiteFileError, match="locale 'eo' is not supported"):
            sitefile.parse(text, "site.toml")
    finally:
        languages.register(ESPERANTO)
