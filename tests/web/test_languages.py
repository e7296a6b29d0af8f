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
from dashboard.i18n.languages import Language
from dashboard.web.embed.query import EmbedQuery
from tests.helpers.reference import REFERENCE_INSTANT, visible_text

# German, written here as a deployment would add it: CLDR knows its plurals and dates.
GERMAN = Language(
    code="de",
    name="Deutsch",
    since={"one": "{n} Tag seit {event}", "other": "{n} Tage seit {event}"},
    until={"one": "noch {n} Tag bis {event}", "other": "noch {n} Tage bis {event}"},
    badge_since={"one": "{n} Tag", "other": "{n} Tage"},
    badge_until={"one": "in {n} Tag", "other": "in {n} Tagen"},
    label_prefix_since="seit ",
    small_words=frozenset({"der", "die", "das", "von", "in"}),
)
# What the demo shows at the reference instant, in German (Babel's CLDR long date).
DATE_LINE = "26. Januar 2020"
SALISBURY = "693 Tage seit the Salisbury incident"


@pytest.fixture
def german():
    languages.register(GERMAN)
    yield GERMAN
    languages.unregister(GERMAN.code)


def test_a_registered_language_is_offered_and_chosen(client, german, at_reference):
    page = client.get("/", headers={"Accept-Language": "de-DE,de;q=0.9"}).get_data(as_text=True)
    assert '<html lang="de">' in page
    assert DATE_LINE in visible_text(page)
    menu = client.get("/?lang=en").get_data(as_text=True)
    assert 'hreflang="de"' in menu and "Deutsch" in menu


def test_every_view_renders_in_a_registered_language(client, german, at_reference):
    page = client.get("/?lang=de").get_data(as_text=True)
    assert DATE_LINE in visible_text(page)
    assert '<span class="counter-days">693</span> Tage seit the Salisbury incident' in page

    fragment = client.get("/?lang=de", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.startswith('<section id="live"') and DATE_LINE in fragment
    assert "<html" not in fragment

    embed = client.get("/embed?lang=de").get_data(as_text=True)
    assert '<html lang="de">' in embed and SALISBURY in visible_text(embed)

    svg = ET.fromstring(client.get("/badge/salisbury.svg?lang=de").data)
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    # The event is the site's own words; German keeps them whole after its preposition.
    assert "693 Tage" in texts and "Seit the Salisbury incident" in texts
    badge = client.get("/badge/salisbury.json?lang=de").json
    assert badge["message"] == "693 Tage"

    snapshot = client.get("/api/v1/snapshot?lang=de").json
    assert snapshot["locale"] == "de" and snapshot["date"]["text"] == DATE_LINE
    assert snapshot["counters"][0]["text"].startswith(SALISBURY)

    feed = ET.fromstring(client.get("/feed.atom?lang=de").data)
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "de"
    self_link = feed.find("{http://www.w3.org/2005/Atom}link[@rel='self']").get("href")
    assert self_link.endswith("/feed.atom?lang=de")


def test_an_unknown_language_is_refused_by_name(client, at_reference):
    for url in ("/embed?lang=de", "/badge/salisbury.json?lang=de", "/feed.atom?lang=de"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert "'lang' must be one of en, ru" in html.unescape(response.get_data(as_text=True))
    assert client.get("/api/v1/snapshot?lang=de").status_code == 400


def test_the_scheduler_warms_a_registered_language(app, german):
    written = app.extensions[LIVE].warm(REFERENCE_INSTANT)
    minute = timecalc.floor_minute(REFERENCE_INSTANT)
    embed = EmbedQuery(clocks=None, counters=None, locale="de").query_string()
    wanted = {
        keys.page("de"): DATE_LINE,
        keys.live_block("de"): DATE_LINE,
        keys.snapshot_json("de"): DATE_LINE,
        keys.embed(embed, fragment=False): "Tage seit",
        keys.badge("svg", "salisbury", "flat", "de", None): "693 Tage",
    }
    with app.extensions[STORE].session() as session:
        for key, text in wanted.items():
            row = store.rendered_bytes(session, key, minute)
            assert row is not None, f"{key} was not warmed"
            assert text in row.body.decode("utf-8"), key
    with_german = written
    languages.unregister("de")
    assert app.extensions[LIVE].warm(REFERENCE_INSTANT) < with_german
    languages.register(GERMAN)  # the fixture removes it


def test_a_site_file_may_name_a_registered_language(german, tmp_path):
    text = sitefile.DEMO_PATH.read_text(encoding="utf-8").replace('locale = "en"', 'locale = "de"')
    assert 'locale = "de"' in text
    assert sitefile.parse(text, "site.toml").locale == "de"
    languages.unregister("de")
    try:
        with pytest.raises(sitefile.SiteFileError, match="locale 'de' is not supported"):
            sitefile.parse(text, "site.toml")
    finally:
        languages.register(GERMAN)
