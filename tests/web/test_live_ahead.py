"""/live/<minute>: each live block fetched ahead, for a coming minute, is the block its page
serves at that minute; it never holds a statement not yet published when it was asked; it is
refused outside [previous, next + 1]; a shared cache may keep it until its minute ends."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
import time_machine

from dashboard.cache.live import pages_of
from dashboard.content import editing
from dashboard.core import timecalc
from dashboard.web import ahead
from tests.helpers.admin import make_admin, signed_in_client
from tests.helpers.databases import app_on
from tests.helpers.reference import REFERENCE_INSTANT

MINUTE = timecalc.MINUTE
NOW = REFERENCE_INSTANT + dt.timedelta(seconds=20)  # 17:58:20 UTC
NEXT = timecalc.next_minute(NOW)  # 17:59
DELAY = re.compile(r"load delay:\d+ms")

# Each page with a live block, and how htmx asks for that block.
PAGES = {
    "page": "/?lang=en",
    "page in Russian": "/?lang=ru",
    "counter": "/counters/salisbury?lang=en",
    "embed": "/embed?counters=salisbury&lang=ru",
    "board": "/board?clocks=moscow&theme=dark",
}


def at(instant: dt.datetime):
    return time_machine.travel(instant, tick=False)


def live_url(client, page: str) -> str:
    found = re.search(r'data-live-url="([^"]+)"', client.get(page).text)
    assert found, f"{page} has no data-live-url"
    return found.group(1).replace("&amp;", "&")


def for_minute(url: str, minute: dt.datetime) -> str:
    assert ahead.PLACEHOLDER in url
    return url.replace(ahead.PLACEHOLDER, timecalc.minute_text(minute))


def same_block(one: str, other: str) -> bool:
    """Equal but for the htmx delay, which is filled in per request."""
    return DELAY.sub("", one) == DELAY.sub("", other)


@pytest.mark.parametrize("name", PAGES)
def test_a_block_fetched_ahead_is_the_block_its_page_serves_at_that_minute(client, name):
    page = PAGES[name]
    with at(NOW):
        url = for_minute(live_url(client, page), NEXT)
        early = client.get(url)
    assert early.status_code == 200
    with at(NEXT + dt.timedelta(milliseconds=300)):
        then = client.get(page, headers={"HX-Request": "true"})
    assert then.status_code == 200
    assert same_block(early.text, then.text)
    with at(NOW):
        now = client.get(page, headers={"HX-Request": "true"}).text
    assert not same_block(early.text, now) or name == "counter", "the minute did not change"


def test_it_shows_the_clocks_as_they_will_be(client):
    with at(NOW):
        body = client.get(f"/live/{timecalc.minute_text(NEXT)}?view=page&lang=en").text
    assert 'datetime="2020-01-26T17:59:00+00:00"' in body
    assert 'datetime="2020-01-26T20:59:00+03:00"' in body


@pytest.mark.parametrize(
    ("minute", "status"),
    [
        (NOW - 2 * MINUTE, 404),
        (NOW - MINUTE, 200),
        (NOW, 200),
        (NOW + MINUTE, 200),
        (NOW + 2 * MINUTE, 200),
        (NOW + 3 * MINUTE, 404),
        (NOW + dt.timedelta(days=400), 404),
    ],
)
def test_only_the_minutes_from_the_previous_to_the_one_after_next_are_served(
    client, minute, status
):
    with at(NOW):
        response = client.get(f"/live/{timecalc.minute_text(minute)}")
    assert response.status_code == status
    if status == 404:
        assert "only the minutes from 2020-01-26T17:57Z to 2020-01-26T18:00Z" in response.text
        assert response.headers["Cache-Control"] == "no-store"


NEXT_URL = f"/live/{timecalc.minute_text(NEXT)}"


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        # a minute it cannot read
        ("/live/2020-01-26T17:59", "is not a minute in UTC"),
        ("/live/2020-01-26T17:59:00Z", "is not a minute in UTC"),
        ("/live/2020-13-26T17:59Z", "is not a valid minute"),
        ("/live/1850-01-26T17:59Z", "outside the years"),
        # a parameter it cannot use
        (f"{NEXT_URL}?view=calendar", "'view'"),
        (f"{NEXT_URL}?view=counter", "'slug'"),
        (f"{NEXT_URL}?view=embed&counters=nope", "nope"),
        (f"{NEXT_URL}?view=board&theme=purple", "'theme'"),
    ],
)
def test_bad_input_is_a_400_that_names_the_problem(client, url, problem):
    with at(NOW):
        response = client.get(url)
    assert response.status_code == 400
    assert problem in html.unescape(response.text)


def test_an_unknown_counter_is_a_404(client):
    with at(NOW):
        response = client.get(f"/live/{timecalc.minute_text(NEXT)}?view=counter&slug=nope")
    assert response.status_code == 404


def test_a_cache_may_keep_it_until_its_minute_ends_and_the_server_says_its_time(client):
    url = f"/live/{timecalc.minute_text(NEXT)}?view=page&lang=en"
    with at(NOW):
        response = client.get(url)
    assert response.headers["Cache-Control"] == "public, max-age=100"  # to 18:00:00
    assert response.headers[ahead.SERVER_TIME] == str(timecalc.epoch_millis(NOW))
    assert "Vary" not in response.headers  # the language is in the URL
    with at(NOW):
        again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert again.headers[ahead.SERVER_TIME]
    with at(NOW):
        current = client.get(f"/live/{timecalc.minute_text(NOW)}?view=page")
    assert current.headers["Cache-Control"] == "public, max-age=40"


def test_the_bytes_for_a_minute_hold_until_an_edit(app, client):
    url = f"/live/{timecalc.minute_text(NEXT)}?view=page&lang=en"
    with at(NOW):
        first = client.get(url).headers["ETag"]
    with at(NOW + dt.timedelta(seconds=30)):
        assert client.get(url).headers["ETag"] == first
        with app.app_context():
            editing.save_statement(
                {
                    "title": "An edit",
                    "slug": "an-edit",
                    "published": NOW - dt.timedelta(hours=1),
                    "summary": "Made now.",
                    "featured": False,
                }
            )
        assert client.get(url).headers["ETag"] != first


def test_it_never_holds_a_statement_published_after_it_was_asked(app, client):
    """A statement due at the boundary: the block fetched before names the old statements,
    and says it changes at that instant, so the page asks again then."""
    with app.app_context():
        editing.save_statement(
            {
                "title": "Embargoed until the minute",
                "slug": "embargoed-until-the-minute",
                "published": NEXT,
                "summary": "Under embargo.",
                "featured": False,
            }
        )
    url = f"/live/{timecalc.minute_text(NEXT)}?view=page&lang=en"
    with at(NOW):
        early = client.get(url)
    with at(NEXT + dt.timedelta(milliseconds=300)):
        late = client.get(url)
    mark = re.compile(r'data-statements="([^"]*)"')
    assert "embargoed-until-the-minute" not in early.text
    assert mark.search(early.text).group(1) != mark.search(late.text).group(1)
    next_change = int(re.search(r'data-next-change="(\d+)"', early.text).group(1))
    assert next_change == timecalc.epoch_millis(NEXT)
    assert early.headers["Cache-Control"] == "public, max-age=40"  # kept only until then


def test_the_scheduler_warms_the_next_minute_it_is_served_from(app, client):
    pages = pages_of(app)
    with app.app_context():
        pages.warm(REFERENCE_INSTANT)
    with at(NOW):
        served = client.get(f"/live/{timecalc.minute_text(NEXT)}?view=page&lang=en")
        warmed = pages._warmed("live:en", NOW, NEXT)
    assert warmed is not None
    assert served.headers["ETag"] == warmed.etag


def test_an_edit_in_another_process_reaches_blocks_kept_ahead(app, client, tmp_path):
    """A web process keeps a coming minute's block; an edit made elsewhere reaches its readers
    when that process next checks the store (once a minute), not a minute later."""
    url = f"/live/{timecalc.minute_text(NEXT + MINUTE)}?view=page&lang=en"
    with at(NOW):
        kept = client.get(url).headers["ETag"]
    edit_elsewhere(app, tmp_path, NOW + dt.timedelta(seconds=5))
    with at(NOW + dt.timedelta(seconds=10)):
        assert client.get(url).headers["ETag"] == kept  # not asked the store again yet
    with at(NEXT + dt.timedelta(seconds=1)):
        assert client.get(url).headers["ETag"] != kept


def edit_elsewhere(app, tmp_path, when: dt.datetime) -> None:
    """A statement published through another app on the same database, as another web
    process (or the admin's) would."""
    with app_on(app.config["DATABASE_URL"], tmp_path / "other") as other:  # noqa: SIM117
        with at(when), other.app_context():
            editing.save_statement(
                {
                    "title": "Edited elsewhere",
                    "slug": "edited-elsewhere",
                    "published": NOW - dt.timedelta(hours=1),
                    "summary": "By another process.",
                    "featured": False,
                }
            )


def test_the_editors_own_page_shows_an_edit_made_in_another_process_at_once(app, client, tmp_path):
    make_admin(app)
    with at(NOW - MINUTE):  # the cookie is signed with the time: not from the future
        editor = signed_in_client(app)
    with at(NOW):
        before = client.get("/?lang=en").text
        assert "Edited elsewhere" not in editor.get("/?lang=en").text
    edit_elsewhere(app, tmp_path, NOW + dt.timedelta(seconds=5))
    with at(NOW + dt.timedelta(seconds=10)):
        # readers: when their process next asks the store, at the latest when the minute ends
        assert same_block(client.get("/?lang=en").text, before)
        assert "Edited elsewhere" in editor.get("/?lang=en").text
        assert "Edited elsewhere" in client.get("/?lang=en").text  # and then for all


def test_a_refusal_tells_the_time_too(client):
    """A device clock far off asks for the wrong minute once, and learns from the answer."""
    with at(NOW):
        response = client.get("/live/2020-01-26T19:00Z")
    assert response.status_code == 404
    assert response.headers[ahead.SERVER_TIME] == str(timecalc.epoch_millis(NOW))
