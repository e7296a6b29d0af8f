"""Feeds in: RSS 2.0, RSS 1.0 and Atom stored as statements; every way a feed can be broken is
recorded on that feed and never stops the others, the scheduler or the CLI."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time

import pytest
import sqlalchemy as sa
import time_machine

from dashboard.content import models
from dashboard.content.store import EXTENSION as STORE
from dashboard.feeds import ingest, jobs, parse, subscriptions
from dashboard.feeds.fetch import FeedError
from dashboard.worker import scheduler
from dashboard.worker.lock import SchedulerLock
from tests.helpers.admin import log_in, make_admin, post_form, statement_row
from tests.helpers.feeds import RSS2, closed_port, feed_server, send
from tests.helpers.reference import REFERENCE_INSTANT

RSS1 = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
  xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="http://rdf.example/"><title>RDF news</title><link>http://rdf.example/</link>
<description>d</description><items><rdf:Seq><rdf:li resource="http://rdf.example/a"/></rdf:Seq></items>
</channel>
<item rdf:about="http://rdf.example/a"><title>An RSS 1.0 item</title><link>http://rdf.example/a</link>
<description>From RDF.</description><dc:date>2020-01-20T08:00:00Z</dc:date></item>
</rdf:RDF>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom news</title><id>urn:uuid:feed</id>
<updated>2020-01-21T00:00:00Z</updated><link href="http://atom.example/"/>
<entry><title type="html">An &lt;b&gt;Atom&lt;/b&gt; entry</title><id>urn:uuid:entry-1</id>
<link rel="alternate" href="http://atom.example/entry-1"/>
<published>2020-01-21T09:15:00Z</published><updated>2020-01-21T09:15:00Z</updated>
<summary>Short.</summary>
<content type="html">&lt;p&gt;Long &lt;a href="javascript:alert(1)"&gt;text&lt;/a&gt;
&lt;script&gt;alert(1)&lt;/script&gt;&lt;/p&gt;</content>
</entry></feed>"""

REPEATS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Repeats</title>
<item><title>Once</title><guid>same-guid</guid><link>http://repeat.example/1</link></item>
<item><title>Once again, same guid</title><guid>same-guid</guid><link>http://repeat.example/2</link></item>
<item><title>Same link, new guid</title><guid>other-guid</guid><link>http://repeat.example/1</link></item>
<item><title>Neither guid nor link</title><description>Only words.</description></item>
<item><title>Neither guid nor link</title><description>Only words.</description></item>
</channel></rss>"""

MALFORMED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Broken</title>
<item><title>Fish & chips</title><guid>broken-1</guid></item></channel>"""

HTML_PAGE = b"""<!doctype html><html><head><title>Not a feed</title></head>
<body><h1>Welcome</h1><p>This is a web page.</p></body></html>"""

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>&lol9;</title><guid>bomb</guid></item></channel></rss>"""

TEN_MB = 10 * 1024 * 1024


def _big(handler, declare_length: bool) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/rss+xml")
    if declare_length:
        handler.send_header("Content-Length", str(TEN_MB))
    handler.end_headers()
    handler.wfile.write(b'<?xml version="1.0"?><rss version="2.0"><channel><title>')
    chunk = b"x" * 65536
    for _ in range(TEN_MB // len(chunk)):
        handler.wfile.write(chunk)


def _slow(handler) -> None:
    handler.server.stopping.wait(10)  # far beyond the read timeout; ends when the test does
    send(handler, RSS2)


def _conditional(handler) -> None:
    if handler.headers.get("If-None-Match") == '"v1"':
        handler.send_response(304)
        handler.send_header("ETag", '"v1"')
        handler.end_headers()
        return
    headers = {"ETag": '"v1"', "Last-Modified": "Sun, 26 Jan 2020 17:00:00 GMT"}
    send(handler, RSS2, headers=headers)


ROUTES = {
    "/rss2": lambda h: send(h, RSS2),
    "/rss1": lambda h: send(h, RSS1, "application/rdf+xml"),
    "/atom": lambda h: send(h, ATOM, "application/atom+xml"),
    "/repeats": lambda h: send(h, REPEATS),
    "/error": lambda h: send(h, b"<h1>Internal error</h1>", "text/html", status=500),
    "/malformed": lambda h: send(h, MALFORMED),
    "/html": lambda h: send(h, HTML_PAGE, "text/html; charset=utf-8"),
    "/bomb": lambda h: send(h, BOMB),
    "/big": lambda h: _big(h, declare_length=True),
    "/big-streamed": lambda h: _big(h, declare_length=False),
    "/slow": _slow,
    "/conditional": _conditional,
}


@pytest.fixture
def server():
    with feed_server(ROUTES) as running:
        yield running


@pytest.fixture
def feed_app(app):
    app.config.update(FEED_CONNECT_TIMEOUT=2.0, FEED_READ_TIMEOUT=0.5, FEED_TOTAL_TIMEOUT=10.0)
    return app


def add_feed(app, url: str, publish: bool = True, language: str = "en") -> int:
    with app.test_request_context():
        row = subscriptions.save_feed(
            {"url": url, "interval_minutes": 30, "language": language, "publish": publish}
        )
    return row.id


def feed_row(app, feed_id: int) -> models.Feed:
    with app.extensions[STORE].session() as db:
        return db.get(models.Feed, feed_id)


def feed_statements(app, feed_id: int) -> list[models.Statement]:
    with app.extensions[STORE].session() as db:
        return list(
            db.scalars(
                sa.select(models.Statement)
                .join(models.FeedItem, models.FeedItem.statement_id == models.Statement.id)
                .where(models.FeedItem.feed_id == feed_id)
                .order_by(models.Statement.published)
            )
        )


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


class HeldLock(SchedulerLock):
    """A lock this process holds; it remembers what the job asked of it."""

    def __init__(self):
        self.calls: list[str] = []

    def acquire(self):
        self.calls.append("acquire")
        return True

    def still_held(self):
        self.calls.append("still_held")
        return True

    def release(self):
        self.calls.append("release")


def test_the_scheduler_polls_due_feeds_and_survives_broken_ones(feed_app, server):
    built = scheduler.build(feed_app, HeldLock(), threading.Event())
    assert built.get_job("feeds") is not None  # built, not started: no threads
    good = add_feed(feed_app, server.url("/rss2"))
    bad = add_feed(feed_app, server.url("/malformed"))
    with time_machine.travel(REFERENCE_INSTANT, tick=False):
        jobs.scheduled_poll(feed_app, HeldLock(), threading.Event())
    assert len(feed_statements(feed_app, good)) == 2
    assert "malformed XML" in feed_row(feed_app, bad).last_error
    served = len(server.requests)
    with time_machine.travel(REFERENCE_INSTANT + dt.timedelta(minutes=10), tick=False):
        jobs.scheduled_poll(feed_app, HeldLock(), threading.Event())  # not due for 30 minutes
    assert len(server.requests) == served
    with time_machine.travel(REFERENCE_INSTANT + dt.timedelta(minutes=30), tick=False):
        jobs.scheduled_poll(feed_app, HeldLock(), threading.Event())
    assert len(server.requests) == served + 2


def test_the_scheduler_job_survives_a_database_outage(feed_app, server, monkeypatch, caplog):
    feed = add_feed(feed_app, server.url("/rss2"))  # never polled: due at once
    the_store = feed_app.extensions[STORE]
    lock, lost = HeldLock(), threading.Event()

    def down():
        raise sa.exc.OperationalError("SELECT", {}, Exception("database is down"))

    with monkeypatch.context() as outage, caplog.at_level(logging.INFO, logger=jobs.log.name):
        outage.setattr(the_store, "session", down)  # every session the job opens fails
        with time_machine.travel(REFERENCE_INSTANT, tick=False):
            jobs.scheduled_poll(feed_app, lock, lost)  # logged, not raised
    [record] = [r for r in caplog.records if r.name == jobs.log.name]
    assert (record.levelno, record.getMessage()) == (logging.ERROR, "feed polling failed")
    assert isinstance(record.exc_info[1], sa.exc.OperationalError)
    assert "database is down" in caplog.text  # the traceback says why
    assert server.requests == []  # no feed was fetched without the database
    # The outage is no reason to give up the lock: no standby should take over for it.
    assert lock.calls == ["still_held"]
    assert not lost.is_set()

    caplog.clear()
    with time_machine.travel(REFERENCE_INSTANT + dt.timedelta(minutes=1), tick=False):
        jobs.scheduled_poll(feed_app, lock, lost)  # the next minute, the database is back
    assert [path for path, _headers in server.requests] == ["/rss2"]
    assert [s.title for s in feed_statements(feed_app, feed)] == [
        "Statement on the talks",
        "A note without a date",
    ]
    assert feed_row(feed_app, feed).last_error is None
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert lock.calls == ["still_held", "still_held"]
    assert not lost.is_set()


def test_fetch_feeds_command_polls_every_feed(feed_app, server, at_reference):
    add_feed(feed_app, server.url("/rss2"))
    add_feed(feed_app, server.url("/error"))
    result = feed_app.test_cli_runner().invoke(args=["fetch-feeds"])
    assert result.exit_code == 0, result.output
    assert f"{server.url('/rss2')}: 2 new, 0 already stored" in result.output
    assert f"{server.url('/error')}: error: the server answered HTTP 500" in result.output


def test_the_admin_adds_polls_and_shows_each_feeds_state(feed_app, server, at_reference):
    make_admin(feed_app)
    client = feed_app.test_client()
    log_in(client)
    bad = post_form(client, "/admin/feeds/new", {"url": "ftp://x", "interval_minutes": "0"})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "must be an http:// or https:// address" in html
    assert "must be a whole number of minutes" in html
    for path in ("/rss2", "/html"):
        data = {"url": server.url(path), "interval_minutes": "15", "language": "en", "publish": "1"}
        assert post_form(client, "/admin/feeds/new", data).status_code == 303
    duplicate = post_form(client, "/admin/feeds/new", {**data, "url": server.url("/rss2")})
    assert "already on the list" in duplicate.get_data(as_text=True)
    with feed_app.extensions[STORE].session() as db:
        ids = list(db.scalars(sa.select(models.Feed.id).order_by(models.Feed.id)))
    polled = post_form(client, f"/admin/feeds/{ids[0]}/poll", {}, htmx=True)
    assert polled.status_code == 200
    assert '<div id="feed-list">' in polled.get_data(as_text=True)  # only the list, swapped
    assert "2 new" in polled.get_data(as_text=True)
    post_form(client, f"/admin/feeds/{ids[1]}/poll", {})
    listing = client.get("/admin/feeds").get_data(as_text=True)
    assert "2020-01-26T17:58:00Z" in listing  # the good feed's last success
    assert "not an RSS or Atom feed (text/html)" in listing  # the page's last error
    removed = post_form(client, f"/admin/feeds/{ids[0]}/delete", {})
    assert removed.status_code == 303
    assert statement_row(feed_app, feed_statements_slug(feed_app)) is not None  # stays


def feed_statements_slug(app) -> str:
    with app.extensions[STORE].session() as db:
        return db.scalar(
            sa.select(models.Statement.slug).where(
                models.Statement.source_url == "http://ministry.example/talks"
            )
        )


def test_a_poll_that_fails_late_stores_nothing(feed_app, server, monkeypatch, at_reference):
    """One transaction: when the last step fails, the items stored before it go too (SQLite's
    driver begins a transaction only at a write, so a savepoint opened first would commit)."""
    feed_id = add_feed(feed_app, server.url("/rss2"))

    def failing(_session):
        raise sa.exc.OperationalError("UPDATE site", {}, Exception("disk I/O error"))

    monkeypatch.setattr(ingest.store, "mark_changed", failing)
    report = ingest.poll_feed(feed_app, feed_id)
    assert report.error and "disk I/O error" in report.error
    assert feed_statements(feed_app, feed_id) == []
    monkeypatch.undo()
    assert ingest.poll_feed(feed_app, feed_id).new == 2  # nothing was half-stored
