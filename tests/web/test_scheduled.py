"""Scheduled and expiring statements: unseen everywhere before their instant, there by
themselves at it (with every cache warm), gone after `expires` with a 410."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
import time_machine

from dashboard.cache.live import pages_of
from dashboard.content import editing, models
from dashboard.core import timecalc
from dashboard.worker import scheduler
from tests.helpers.reference import REFERENCE_INSTANT

INSTANT = REFERENCE_INSTANT + dt.timedelta(seconds=90)  # 17:59:30 UTC, mid-minute
SLUG = "embargoed-zqxjk-statement"
TITLE = "Embargoed Zqxjk statement"

# Every public way in to a statement, with what it answers for one that is not there.
PUBLIC = {
    "/": 200,
    "/?lang=ru": 200,
    "/statements": 200,
    f"/statements/{SLUG}": 404,
    "/api/v1/statements": 200,
    f"/api/v1/statements/{SLUG}": 404,
    "/api/v1/snapshot": 200,
    "/feed.atom": 200,
    "/embed?statements=5": 200,
    f"/oembed?url=http://localhost/statements/{SLUG}": 404,
}


def schedule(app, published=INSTANT, expires=None, **values):
    with app.app_context():
        row = editing.save_statement(
            {"title": TITLE, "slug": SLUG, "published": published, "expires": expires,
             "summary": "The Zqxjk summary.", "featured": False, **values}
        )  # fmt: skip
    return row


def leaks(client, url: str) -> tuple[int, bool]:
    """The status, and whether the answer shows the statement: its title, summary or slug (a
    404 naming the slug that was asked for shows nothing)."""
    response = client.get(url)
    text = response.get_data(as_text=True).lower()
    shown = "zqxjk statement" in text or "zqxjk summary" in text
    return response.status_code, shown or (SLUG in text and SLUG not in url)


def max_age(response) -> int:
    return int(re.search(r"max-age=(\d+)", response.headers["Cache-Control"]).group(1))


def test_a_scheduled_statement_is_unseen_everywhere_until_its_instant(app, client):
    schedule(app)
    for at in (REFERENCE_INSTANT, INSTANT - dt.timedelta(milliseconds=1)):
        with time_machine.travel(at, tick=False):
            for url, status in PUBLIC.items():
                assert leaks(client, url) == (status, False), (at, url)
    with time_machine.travel(INSTANT, tick=False):
        for url in PUBLIC:
            assert leaks(client, url) == (200, True), url


def test_no_cache_or_warmed_copy_reaches_past_the_instant(app, client):
    """Bytes warmed by the scheduler and kept in memory before the instant are not served
    after it, and every max-age ends at it."""
    schedule(app)
    pages = pages_of(app)
    with time_machine.travel(INSTANT - dt.timedelta(seconds=30), tick=False):  # 17:59:00
        with app.app_context():
            assert pages.warm(timecalc.utcnow()) > 0
        pages.invalidate()  # the bytes come from the store's warmed rows, as in a new process
        for url in ("/", "/statements", "/feed.atom", "/api/v1/statements"):
            response = client.get(url)
            assert "zqxjk" not in response.get_data(as_text=True).lower()
            assert max_age(response) == 30, url  # not 60: the minute ends after the instant
    with time_machine.travel(INSTANT - dt.timedelta(seconds=1), tick=False):
        before = client.get("/")
        assert max_age(before) == 1
    with time_machine.travel(INSTANT + dt.timedelta(seconds=1), tick=False):
        # The same ETag would let a browser keep the old page with a 304: it must not match.
        revalidated = client.get("/", headers={"If-None-Match": before.headers["ETag"]})
        assert revalidated.status_code == 200
        assert TITLE in revalidated.get_data(as_text=True)
        for url in ("/statements", "/feed.atom", "/api/v1/statements"):
            assert TITLE in client.get(url).get_data(as_text=True), url


def test_bytes_rendered_ahead_for_a_coming_minute_hold_only_what_is_published(app):
    """Warmed at 17:59:00 for 18:00, before the 17:59:30 instant: without the statement, and
    good only until that instant, so 18:00 renders afresh."""
    schedule(app)
    pages = pages_of(app)
    with time_machine.travel(INSTANT - dt.timedelta(seconds=30), tick=False), app.app_context():
        pages.warm(timecalc.utcnow())
        with app.extensions["dashboard.store"].session() as db:
            ahead = db.get(models.Rendered, ("page:en", INSTANT + dt.timedelta(seconds=30)))
    assert ahead is not None and TITLE.encode() not in ahead.body
    assert ahead.next_change == INSTANT


@pytest.mark.system  # a second or more: in the full suite, not the fast tier
def test_the_scheduler_wakes_at_the_instant_and_warms_it(app):
    schedule(app)
    asked: list[dt.datetime] = []
    lock = HeldLock()
    with time_machine.travel(INSTANT - dt.timedelta(seconds=20), tick=False):
        scheduler.tick(app, lock, threading.Event(), wake=asked.append)
    assert asked == [INSTANT]  # within this minute: come back then
    with time_machine.travel(INSTANT - dt.timedelta(seconds=120), tick=False):
        later: list[dt.datetime] = []
        scheduler.tick(app, lock, threading.Event(), wake=later.append)
        assert later == []  # the tick of that minute will ask
    with time_machine.travel(INSTANT - dt.timedelta(seconds=10), tick=False):
        between: list[dt.datetime] = []  # scheduled after that minute's tick: still found
        scheduler.look_ahead(app, lock, threading.Event(), wake=between.append)
        assert between == [INSTANT]
    pages = pages_of(app)
    with time_machine.travel(INSTANT + dt.timedelta(milliseconds=5), tick=False):
        scheduler.statement_instant(app, lock, threading.Event())
        pages.invalidate()  # what a web process without memory finds: the warmed bytes
        with app.test_request_context("/"), app.app_context():
            warmed = pages._warmed("page:en", timecalc.utcnow())
    assert warmed is not None and TITLE.encode() in warmed.body


def test_snapshot_at_shows_statements_as_they_stood(app):
    schedule(app)
    runner = app.test_cli_runner()
    with time_machine.travel(REFERENCE_INSTANT, tick=False):
        past = runner.invoke(args=["snapshot", "--at", "2018-03-01T12:00:00Z"])
        assert past.exit_code == 0, past.output
        assert not re.search(r"\d\d\.\d\d\.(2019|2020)", past.output)
        assert "Featured" not in past.output
        now = runner.invoke(args=["snapshot"]).output
        ahead = runner.invoke(args=["snapshot", "--at", "2020-01-26T18:00:00Z"]).output
    assert TITLE not in now and "Raisina" in now
    assert f"Featured: {TITLE}" not in ahead and f"26.01.2020 - {TITLE}" in ahead


def test_the_admins_preview_at_a_later_instant_shows_what_readers_will_see(admin_client):
    schedule(admin_client.application)
    now = admin_client.get("/admin/preview").get_data(as_text=True)
    then = admin_client.get("/admin/preview?at=2020-01-26T18:00").get_data(as_text=True)
    assert TITLE not in now and TITLE in then


def test_after_it_expires_a_statement_leaves_every_list_and_its_page_is_gone(app, client):
    expires = INSTANT + dt.timedelta(minutes=10)
    schedule(app, published=REFERENCE_INSTANT - dt.timedelta(days=1), expires=expires)
    with time_machine.travel(expires - dt.timedelta(seconds=15), tick=False):
        assert leaks(client, "/statements") == (200, True)
        assert max_age(client.get(f"/statements/{SLUG}")) == 15
    with time_machine.travel(expires, tick=False):
        gone = client.get(f"/statements/{SLUG}")
        assert gone.status_code == 410 and "withdrawn" in gone.get_data(as_text=True)
        assert client.get(f"/api/v1/statements/{SLUG}").status_code == 410
        for url, status in PUBLIC.items():
            if "/statements/" not in url:
                assert leaks(client, url) == (status, False), url


def test_expires_must_come_after_published(app, admin_client):
    with pytest.raises(editing.FieldErrors, match="'expires' must be later than 'published'"):
        schedule(app, expires=INSTANT)
    with time_machine.travel(REFERENCE_INSTANT, tick=False):
        from tests.helpers.admin import post_form

        response = post_form(
            admin_client,
            "/admin/statements/new",
            {"title": "T", "published": "2020-01-27T10:00", "expires": "2020-01-27T09:00",
             "status": "published", "language": "en"},
        )  # fmt: skip
    assert response.status_code == 422
    assert "must be later than" in response.get_data(as_text=True)


class HeldLock:
    def still_held(self) -> bool:
        return True


@pytest.mark.system  # a second or more: in the full suite, not the fast tier
def test_the_write_api_schedules_and_expires_statements(app, client):
    made = app.test_cli_runner().invoke(args=["create-token", "desk"])
    token = re.search(r"^(dsh_\S+)$", made.output, re.M).group(1)
    headers = {"Authorization": f"Bearer {token}"}
    body = {"title": TITLE, "slug": SLUG, "published": "2020-01-26T20:59:30+03:00",
            "expires": "2020-02-01"}  # fmt: skip
    with time_machine.travel(REFERENCE_INSTANT, tick=False):
        created = client.post("/api/v1/statements", json=body, headers=headers)
        assert created.status_code == 201, created.json
        assert created.json["published"] == "2020-01-26T17:59:30Z"
        assert created.json["expires"] == "2020-02-01T00:00:00Z"  # midnight in London
        assert leaks(client, "/api/v1/statements") == (200, False)
        assert client.get(f"/api/v1/statements/{SLUG}").status_code == 404
        wrong = client.post(
            "/api/v1/statements",
            json={**body, "slug": "other", "expires": "2020-01-26T17:00:00Z"},
            headers=headers,
        )
        assert wrong.status_code == 422 and "expires" in wrong.json["error"]
    with time_machine.travel(INSTANT, tick=False):
        assert client.get(f"/api/v1/statements/{SLUG}").json["title"] == TITLE
