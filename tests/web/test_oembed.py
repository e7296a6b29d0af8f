"""oEmbed over HTTP: the rich answer with an iframe of the embed, its limits, and discovery.

Time is frozen at the reference instant (17:58:00Z on 26 January 2020, a Sunday in GMT): the
clocks read 20:58 Moscow and 17:58 London, Salisbury is at 693 days and Glushkov at 685, and
London's next midnight is 6 h 2 min = 21,720 s away.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from dashboard.cache.live import fill_delay, live_pages
from tests.helpers.markup import HOST, Tags, iframe_of
from tests.helpers.reference import REFERENCE_INSTANT

RICH_REQUIRED = {"type": str, "version": str, "html": str, "width": int, "height": int}


def assert_rich(data: dict) -> None:
    """oEmbed 1.0, section 2.3.4: the fields every response has, and those of type rich."""
    for field, kind in RICH_REQUIRED.items():
        assert isinstance(data.get(field), kind), (field, data.get(field))
    assert data["type"] == "rich" and data["version"] == "1.0"
    assert data["width"] > 0 and data["height"] > 0
    for field in ("title", "provider_name", "provider_url"):
        assert isinstance(data[field], str) and data[field]
    assert isinstance(data["cache_age"], int) and data["cache_age"] > 0


def test_oembed_answers_rich_with_an_iframe_of_the_embed(client, at_reference):
    response = client.get(
        "/oembed",
        query_string={"url": f"{HOST}/embed?counters=salisbury&statements=2", "format": "json"},
        base_url=HOST,
    )
    assert response.status_code == 200 and response.is_json
    data = response.json
    assert_rich(data)
    assert data["provider_url"] == f"{HOST}/"
    frame = iframe_of(data["html"])
    assert (frame["width"], frame["height"]) == (str(data["width"]), str(data["height"]))
    src = urlsplit(frame["src"])
    assert f"{src.scheme}://{src.netloc}{src.path}" == f"{HOST}/embed"
    assert parse_qs(src.query) == {"counters": ["salisbury"], "statements": ["2"], "lang": ["en"]}
    # The iframe it hands out is a working embed.
    embed = client.get(frame["src"].removeprefix(HOST), base_url=HOST)
    assert embed.status_code == 200 and "693" in embed.get_data(as_text=True)


def test_oembed_keeps_within_maxwidth_and_maxheight(client, at_reference):
    data = client.get(
        "/oembed",
        query_string={"url": f"{HOST}/", "maxwidth": "300", "maxheight": "90"},
        base_url=HOST,
    ).json
    assert data["width"] <= 300 and data["height"] <= 90
    frame = iframe_of(data["html"])
    assert (frame["width"], frame["height"]) == (str(data["width"]), str(data["height"]))
    wide = client.get("/oembed", query_string={"url": f"{HOST}/"}, base_url=HOST).json
    assert wide["width"] == 480


def test_oembed_for_a_statement_is_titled_with_it(client, at_reference):
    url = f"{HOST}/statements/lavrov-times-of-india-2020"
    data = client.get("/oembed", query_string={"url": url}, base_url=HOST).json
    assert_rich(data)
    assert data["title"].startswith("Interview of Foreign Minister Sergey Lavrov")


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"url": "https://elsewhere.example/"}, 404),
        ({"url": f"{HOST}/statements"}, 404),  # the archive is not embeddable
        ({"url": f"{HOST}/statements/no-such-statement"}, 404),
        ({"url": f"{HOST}/embed?clocks=Paris"}, 404),
        ({"url": f"{HOST}/api/v1/snapshot"}, 404),
        ({"url": "javascript:alert(1)"}, 404),
        ({"url": f"{HOST}/", "format": "xml"}, 501),
        ({"url": f"{HOST}/", "maxwidth": "wide"}, 400),
        ({"url": f"{HOST}/", "maxwidth": "0"}, 400),
        ({"url": f"{HOST}/", "maxheight": "-20"}, 400),
        ({}, 400),
    ],
)
def test_oembed_errors(client, at_reference, query, status):
    response = client.get("/oembed", query_string=query, base_url=HOST)
    assert response.status_code == status
    assert response.is_json and response.json["error"]


def discover(html: str) -> str:
    links = Tags(html).find("link", rel="alternate", type="application/json+oembed")
    assert len(links) == 1, links
    assert links[0]["title"]
    return links[0]["href"]


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("/", "Embassy of the Russian Federation in the United Kingdom"),
        ("/statements/lavrov-times-of-india-2020", "Interview of Foreign Minister Sergey Lavrov"),
    ],
)
def test_pages_advertise_oembed_and_discovery_works(client, at_reference, path, title):
    href = discover(client.get(path, base_url=HOST).get_data(as_text=True))
    assert href.startswith(f"{HOST}/oembed?")
    assert parse_qs(urlsplit(href).query)["format"] == ["json"]
    assert parse_qs(urlsplit(href).query)["url"] == [f"{HOST}{path}?lang=en"]
    found = client.get(href.removeprefix(HOST), base_url=HOST)
    assert found.status_code == 200
    assert_rich(found.json)
    assert found.json["title"].startswith(title)


def test_discovery_link_names_the_host_even_in_warmed_bytes(app, client, at_reference):
    """The scheduler renders the page outside any request; the link must still carry the host
    each reader asked, not the one the scheduler made up."""
    with app.app_context():
        assert live_pages().warm(REFERENCE_INSTANT) > 0
    for host in (HOST, "https://other.example"):
        html = client.get("/", base_url=host).get_data(as_text=True)
        assert discover(html).startswith(f"{host}/oembed?url={host}/")


def test_archive_and_errors_advertise_no_oembed(client, at_reference):
    for path in ("/statements", "/no-such-page"):
        assert "json+oembed" not in client.get(path).get_data(as_text=True)


def test_an_odd_host_header_gets_relative_urls_not_markup():
    body = b'<link href="__ORIGIN__/oembed">'
    at = REFERENCE_INSTANT
    assert fill_delay(body, at, at, 'http://x"><script>') == b'<link href="/oembed">'
    assert fill_delay(body, at, at, "https://ok.example:8443") == (
        b'<link href="https://ok.example:8443/oembed">'
    )


# -- badges -----------------------------------------------------------------------------------
