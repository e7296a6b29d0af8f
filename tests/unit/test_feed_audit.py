"""A feed's poll that brings statements is one audit entry, by the feed; one that brings none
leaves the log as it was."""

from __future__ import annotations

from dashboard.content import audit
from dashboard.content.store import EXTENSION as STORE
from dashboard.feeds import ingest
from tests.helpers.feeds import add_feed


def test_a_poll_that_brings_statements_is_audited_once(feed_app, server, at_reference):
    url = server.url("/rss2")
    feed_id = add_feed(feed_app, url)
    ingest.poll_feed(feed_app, feed_id)
    ingest.poll_feed(feed_app, feed_id)  # the same items again: nothing new
    with feed_app.extensions[STORE].session() as db:
        (entry,) = audit.entries(db, action="feed.import")
    assert entry.actor == f"feed {url}" and entry.subject == url
    assert entry.details == {"created": 2, "duplicates": 0}
