"""Feeds in: RSS 2.0, RSS 1.0 and Atom stored as statements; every way a feed can be broken is
recorded on that feed and never stops the others. The scheduler's job, the CLI and the admin:
test_feed_jobs.py."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
import sqlalchemy as sa
import time_machine

from dashboard.content import models
from dashboard.content.store import EXTENSION as STORE
from dashboard.feeds import ingest, jobs, parse
from dashboard.feeds.fetch import FeedError
from tests.helpers.feeds import (
    RSS2,
    add_feed,
    closed_port,
    feed_row,
    feed_server,
    feed_statements,
    send,
)
from tests.helpers.reference import REFERENCE_INSTANT


def test_rss2_rss1_and_atom_become_statements(feed_app, server):
    with time_machine.travel(REFERENCE_INSTANT, tick=False):
        ids = {
            kind: add_feed(feed_app, server.url(f"/{kind}")) for kind in ("rss2", "rss1", "atom")
        }
        reports = jobs.poll_feeds(feed_app, only_due=False)
    assert [r.error for r in reports] == [None, None, None]
    assert [r.new for r in reports] == [2, 1, 1]

    talks, undated = feed_statements(feed_app, ids["rss2"])
    assert talks.title == "Statement on the talks"
    assert talks.source_url == "http://ministry.example/talks"
    assert talks.published == dt.datetime(2020, 1, 16, 7, 30, tzinfo=dt.UTC)  # its own date
    assert talks.summary == "The talks went well."
    assert talks.language == "en" and talks.draft is False
    assert undated.published == REFERENCE_INSTANT  # no date: the fetch time
    assert feed_row(feed_app, ids["rss2"]).title == "Ministry & News"

    (rdf,) = feed_statements(feed_app, ids["rss1"])
    assert rdf.title == "An RSS 1.0 item" and rdf.source_url == "http://rdf.example/a"
    assert rdf.published == dt.datetime(2020, 1, 20, 8, tzinfo=dt.UTC)

    (entry,) = feed_statements(feed_app, ids["atom"])
    assert entry.title == "An Atom entry"  # plain text: the markup is gone, not escaped
    assert entry.published == dt.datetime(2020, 1, 21, 9, 15, tzinfo=dt.UTC)
    with time_machine.travel(REFERENCE_INSTANT, tick=False):
        page = feed_app.test_client().get(f"/statements/{entry.slug}").get_data(as_text=True)
    assert "alert(1)" not in page and "javascript:" not in page
    assert 'rel="noopener nofollow">text</a>' in page  # the link, defused


def test_items_from_a_feed_can_arrive_as_drafts(feed_app, server, at_reference):
    feed_id = add_feed(feed_app, server.url("/atom"), publish=False, language="ru")
    ingest.poll_feed(feed_app, feed_id)
    (entry,) = feed_statements(feed_app, feed_id)
    assert entry.draft is True and entry.language == "ru"
    client = feed_app.test_client()
    assert client.get(f"/statements/{entry.slug}").status_code == 404
    assert "Atom entry" not in client.get("/").get_data(as_text=True)


def test_a_new_item_shows_on_the_page_at_once(feed_app, server, at_reference):
    client = feed_app.test_client()
    assert "Statement on the talks" not in client.get("/").get_data(as_text=True)
    ingest.poll_feed(feed_app, add_feed(feed_app, server.url("/rss2")))
    assert "Statement on the talks" in client.get("/").get_data(as_text=True)


def test_repeated_items_are_stored_once_by_guid_then_link(feed_app, server, at_reference):
    feed_id = add_feed(feed_app, server.url("/repeats"))
    first = ingest.poll_feed(feed_app, feed_id)
    assert (first.new, first.duplicates) == (2, 3)
    titles = [s.title for s in feed_statements(feed_app, feed_id)]
    assert sorted(titles) == ["Neither guid nor link", "Once"]
    again = ingest.poll_feed(feed_app, feed_id)
    assert (again.new, again.duplicates) == (0, 5)
    assert len(feed_statements(feed_app, feed_id)) == 2


def test_unique_constraints_hold_even_without_the_check(feed_app, server, at_reference):
    feed_id = add_feed(feed_app, server.url("/rss2"))
    ingest.poll_feed(feed_app, feed_id)
    the_store = feed_app.extensions[STORE]
    for duplicate in ({"guid": "ministry-1", "link": None}, {"guid": None, "link": "x"}):
        if duplicate["link"] == "x":
            duplicate["link"] = "http://ministry.example/talks"
        with pytest.raises(sa.exc.IntegrityError), the_store.session() as db, db.begin():
            db.add(models.FeedItem(feed_id=feed_id, fetched_at=REFERENCE_INSTANT, **duplicate))


def test_two_pollers_at_once_store_each_item_once(feed_app, server, at_reference):
    feed_id = add_feed(feed_app, server.url("/rss2"))
    start = threading.Barrier(2)
    reports = []

    def poll():
        start.wait()
        reports.append(ingest.poll_feed(feed_app, feed_id))

    threads = [threading.Thread(target=poll) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(feed_statements(feed_app, feed_id)) == 2
    assert sum(r.new for r in reports) == 2
    assert all(r.error is None for r in reports)


def many_items(count: int) -> bytes:
    """An RSS 2.0 feed of `count` items, all on one day; two of them share a title, so their
    derived slugs collide."""
    items = [
        f'<item><title>Item {n}</title><guid isPermaLink="false">many-{n}</guid>'
        f"<link>http://many.example/{n}</link>"
        "<pubDate>Sun, 26 Jan 2020 12:00:00 +0000</pubDate></item>"
        for n in range(1, count + 1)
    ]
    items.append(
        "<item><title>Item 1</title><guid isPermaLink='false'>many-again</guid>"
        "<link>http://many.example/again</link>"
        "<pubDate>Sun, 26 Jan 2020 13:00:00 +0000</pubDate></item>"
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Many</title>'
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def count_sql(app) -> list[int]:
    counted = [0]

    @sa.event.listens_for(app.extensions[STORE].engine, "before_cursor_execute")
    def count(*_args) -> None:
        counted[0] += 1

    return counted


@pytest.mark.system  # a second or more: in the full suite, not the fast tier
def test_a_large_feed_is_stored_together_not_item_by_item(feed_app, at_reference):
    body = many_items(1_200)  # over two chunks of keys and slugs
    with feed_server({"/many": lambda h: send(h, body)}) as many:
        feed_id = add_feed(feed_app, many.url("/many"))
        counted = count_sql(feed_app)
        report = ingest.poll_feed(feed_app, feed_id)
    assert (report.new, report.duplicates, report.error) == (1_201, 0, None)
    assert counted[0] < 40  # a few chunked reads and batched inserts, not 7 per item
    with feed_app.extensions[STORE].session() as db:
        by_guid = dict(
            db.execute(
                sa.select(models.FeedItem.guid, models.Statement).join(
                    models.Statement, models.FeedItem.statement_id == models.Statement.id
                )
            ).all()
        )
    assert len(by_guid) == 1_201  # each feed item points at its own statement
    assert by_guid["many-700"].source_url == "http://many.example/700"
    assert by_guid["many-700"].title == "Item 700"
    # Two items called "Item 1" on one day: the second slug is made unique, as in the admin.
    assert by_guid["many-1"].slug == "item-1-2020-01-26"
    assert by_guid["many-again"].slug == "item-1-2020-01-26-2"


def test_a_second_feed_with_the_same_titles_gets_its_own_slugs(feed_app, at_reference):
    body = many_items(3)
    with feed_server({"/a": lambda h: send(h, body), "/b": lambda h: send(h, body)}) as both:
        first = ingest.poll_feed(feed_app, add_feed(feed_app, both.url("/a")))
        second_id = add_feed(feed_app, both.url("/b"))
        second = ingest.poll_feed(feed_app, second_id)
    assert (first.new, second.new) == (4, 4)  # another feed: not duplicates of the first
    slugs = sorted(s.slug for s in feed_statements(feed_app, second_id))
    assert slugs == [
        "item-1-2020-01-26-3",
        "item-1-2020-01-26-4",
        "item-2-2020-01-26-2",
        "item-3-2020-01-26-2",
    ]


def test_items_stored_by_another_poller_meanwhile_are_duplicates(
    feed_app, monkeypatch, at_reference
):
    """The batch's check ran before another poller committed the same items: the unique
    constraints refuse the batch, and the items go one by one, each stored once."""
    serving = [many_items(2)]
    with feed_server({"/feed": lambda h: send(h, serving[0])}) as racing:
        feed_id = add_feed(feed_app, racing.url("/feed"))
        assert ingest.poll_feed(feed_app, feed_id).new == 3
        serving[0] = many_items(4)  # two more
        monkeypatch.setattr(ingest, "_existing", lambda *_args: set())  # saw nothing stored
        report = ingest.poll_feed(feed_app, feed_id)
    assert (report.new, report.duplicates, report.error) == (2, 3, None)
    titles = sorted(s.title for s in feed_statements(feed_app, feed_id))
    assert titles == ["Item 1", "Item 1", "Item 2", "Item 3", "Item 4"]


def test_conditional_get_uses_the_validators_and_a_304_changes_nothing(feed_app, server):
    feed_id = add_feed(feed_app, server.url("/conditional"))
    with time_machine.travel(REFERENCE_INSTANT, tick=False):
        assert ingest.poll_feed(feed_app, feed_id).new == 2
    stored = feed_row(feed_app, feed_id)
    assert stored.etag == '"v1"' and stored.last_modified == "Sun, 26 Jan 2020 17:00:00 GMT"
    later = REFERENCE_INSTANT + dt.timedelta(hours=1)
    with time_machine.travel(later, tick=False):
        report = ingest.poll_feed(feed_app, feed_id)
    assert report.not_modified and report.error is None and report.new == 0
    _, headers = server.requests[-1]
    assert headers["If-None-Match"] == '"v1"'
    assert headers["If-Modified-Since"] == "Sun, 26 Jan 2020 17:00:00 GMT"
    assert feed_row(feed_app, feed_id).last_success_at == later
    assert len(feed_statements(feed_app, feed_id)) == 2


BROKEN = {
    "/error": "HTTP 500",
    "/malformed": "malformed XML",
    "/html": "not an RSS or Atom feed (text/html)",
    "/bomb": "declares its own entities",
    "/big": "limit",
    "/big-streamed": "larger than the limit",
    "/slow": "timed out waiting for data",
}


@pytest.mark.system  # a second or more: in the full suite, not the fast tier
def test_broken_feeds_are_recorded_and_never_stop_the_others(feed_app, server, at_reference):
    unreachable = add_feed(feed_app, f"http://127.0.0.1:{closed_port()}/feed")
    broken = {path: add_feed(feed_app, server.url(path)) for path in BROKEN}
    good = add_feed(feed_app, server.url("/rss2"))  # polled last, after every broken one
    started = time.monotonic()
    reports = jobs.poll_feeds(feed_app, only_due=False)
    assert time.monotonic() - started < 15  # the bomb never expands, the slow one times out
    assert len(reports) == len(BROKEN) + 2
    assert "cannot connect" in feed_row(feed_app, unreachable).last_error
    for path, message in BROKEN.items():
        row = feed_row(feed_app, broken[path])
        assert message in (row.last_error or ""), (path, row.last_error)
        assert row.last_error_at == REFERENCE_INSTANT and row.last_success_at is None
        assert feed_statements(feed_app, broken[path]) == []
    assert feed_row(feed_app, good).last_error is None
    assert feed_row(feed_app, good).last_success_at == REFERENCE_INSTANT
    assert len(feed_statements(feed_app, good)) == 2


def test_a_feed_that_recovers_clears_its_error(feed_app, server, at_reference):
    feed_id = add_feed(feed_app, server.url("/error"))
    ingest.poll_feed(feed_app, feed_id)
    assert "HTTP 500" in feed_row(feed_app, feed_id).last_error
    server.routes["/error"] = lambda h: send(h, RSS2)
    assert ingest.poll_feed(feed_app, feed_id).new == 2
    assert feed_row(feed_app, feed_id).last_error is None


def test_parse_is_given_bytes_and_never_fetches_or_opens_anything(monkeypatch):
    def no_network(*_args, **_kwargs):
        raise AssertionError("feedparser tried to fetch or open something")

    monkeypatch.setattr("urllib.request.urlopen", no_network)
    monkeypatch.setattr("urllib.request.OpenerDirector.open", no_network)
    monkeypatch.setattr("builtins.open", no_network)
    # A body that names a URL or a local file is only text to parse, never a place to go.
    for body in (b"/etc/passwd", b"http://127.0.0.1:9/feed"):
        with pytest.raises(FeedError, match="not an RSS or Atom feed"):
            parse.parse(body, "application/rss+xml", "http://127.0.0.1/")


def test_an_item_dated_ahead_of_the_fetch_is_not_held_back_as_scheduled(feed_app, at_reference):
    """It is public already where it came from: its date ahead is an error there."""
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Ahead</title>'
        b"<item><title>Dated tomorrow</title><link>http://ahead.example/1</link>"
        b"<pubDate>Mon, 27 Jan 2020 12:00:00 +0000</pubDate></item>"
        b"<item><title>Dated this morning</title><link>http://ahead.example/2</link>"
        b"<pubDate>Sun, 26 Jan 2020 09:00:00 +0000</pubDate></item></channel></rss>"
    )
    with feed_server({"/ahead": lambda h: send(h, body)}) as ahead:
        feed_id = add_feed(feed_app, ahead.url("/ahead"))
        assert ingest.poll_feed(feed_app, feed_id).new == 2
    by_title = {s.title: s.published for s in feed_statements(feed_app, feed_id)}
    assert by_title == {
        "Dated tomorrow": REFERENCE_INSTANT,  # the fetch time
        "Dated this morning": dt.datetime(2020, 1, 26, 9, tzinfo=dt.UTC),
    }
    page = feed_app.test_client().get("/statements").get_data(as_text=True)
    assert "Dated tomorrow" in page
