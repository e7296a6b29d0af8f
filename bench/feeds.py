"""Measurement 5: an RSS 2.0 feed of 10,000 items, polled into a fresh instance the way
`dashboard fetch-feeds` polls, in a process of its own."""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import os
import subprocess
import time
from pathlib import Path

import sqlalchemy as sa

from bench.common import PY, ROOT, BenchError
from bench.servers import Instance
from dashboard import config, create_app
from dashboard.content import models
from dashboard.content.store import store_of
from dashboard.feeds.fetch import download
from dashboard.feeds.ingest import PollReport
from dashboard.feeds.jobs import poll_feeds
from dashboard.feeds.parse import parse
from dashboard.feeds.subscriptions import save_feed

FEED_ITEMS = 10_000
FEED_TOPICS = (
    "the talks", "the budget", "the new rail line", "water prices", "the harvest",
    "school holidays", "the census", "road repairs", "the weather service",
    "public libraries", "the river crossing",
)  # fmt: skip


def feed_xml(items: int) -> bytes:
    """An RSS 2.0 feed, newest first, of items as a ministry's news feed has them: a title, a
    link, a guid, a date and a short HTML description (about 400 bytes an item)."""
    newest = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        "<title>Ministry news (bench)</title><link>http://news.example/</link>"
        "<description>Statements, newest first</description>\n"
    ]
    for number in range(items, 0, -1):
        topic = FEED_TOPICS[number % len(FEED_TOPICS)]
        when = email.utils.format_datetime(newest - dt.timedelta(minutes=7 * (items - number)))
        parts.append(
            f"<item><title>Statement {number} on {topic}</title>"
            f"<link>http://news.example/statements/{number}</link>"
            f'<guid isPermaLink="false">news.example/{number}</guid><pubDate>{when}</pubDate>'
            f"<description>&lt;p&gt;The ministry said today that work on {topic} goes on as "
            f"planned. A fuller statement, number {number}, follows; questions to the press "
            "office as usual.&lt;/p&gt;</description></item>\n"
        )
    parts.append("</channel></rss>\n")
    return "".join(parts).encode("utf-8")


def ingest_feed(instance: Instance, url: str, path: Path) -> dict:
    """Run feed_poll_worker in a process of its own (as `dashboard fetch-feeds` runs), with
    the instance's environment; it answers with a line of JSON."""
    env = {
        **instance.env,
        "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
    }
    code = (
        "import json, sys; from bench.feeds import feed_poll_worker; "
        "print(json.dumps(feed_poll_worker(*sys.argv[1:])))"
    )
    result = subprocess.run(
        [PY, "-c", code, url, str(path)],
        env=env,
        cwd=str(instance.folder),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode != 0:
        raise BenchError(f"feed ingestion failed in {instance.name}:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def feed_poll_worker(url: str, path: str) -> dict:
    """In a fresh instance (DATABASE_URL etc. in the environment): add the feed as the admin
    does (save_feed) and poll it with poll_feeds(only_due=False), the function
    `dashboard fetch-feeds` calls; then poll it again after the publisher wrote the same items
    out again (a newer Last-Modified: all duplicates), and once more with nothing changed (a
    conditional GET answered 304)."""
    app = create_app()
    feed_file = Path(path)
    engine = store_of(app).engine
    statements = [0]

    @sa.event.listens_for(engine, "before_cursor_execute")
    def count(*_args) -> None:
        statements[0] += 1

    with app.test_request_context():
        save_feed({"url": url, "interval_minutes": 30, "language": "en", "publish": True})

    cpu = [0.0]

    def poll() -> tuple[float, PollReport, int]:
        before = statements[0]
        started, started_cpu = time.perf_counter(), time.process_time()
        reports = poll_feeds(app, only_due=False)
        took = time.perf_counter() - started
        cpu[0] = time.process_time() - started_cpu
        if len(reports) != 1 or reports[0].error:
            raise BenchError(f"the feed poll failed: {[r.line() for r in reports]}")
        return took, reports[0], statements[0] - before

    first_s, first, first_sql = poll()
    first_cpu_s = cpu[0]
    with engine.connect() as connection:
        stored = connection.scalar(sa.select(sa.func.count()).select_from(models.FeedItem))
    if first.new != FEED_ITEMS or stored != FEED_ITEMS:
        raise BenchError(f"the first poll stored {stored} items: {first.line()}")
    mtime = feed_file.stat().st_mtime + 2  # the publisher wrote the same items out again
    os.utime(feed_file, (mtime, mtime))
    again_s, again, again_sql = poll()
    if again.new or again.duplicates != FEED_ITEMS:
        raise BenchError(f"the second poll was not all duplicates: {again.line()}")
    conditional_s, conditional, _ = poll()
    engine.dispose()
    return {
        "first_s": first_s,
        "first_cpu_s": first_cpu_s,
        "first_new": first.new,
        "first_sql_statements": first_sql,
        "again_s": again_s,
        "again_duplicates": again.duplicates,
        "again_sql_statements": again_sql,
        "conditional_s": conditional_s,
        "conditional": "not modified" if conditional.not_modified else conditional.line(),
    }


def parse_timing(url: str) -> float:
    """Download and parse alone (no database), as poll_feed does them: the floor of a poll."""
    settings = config.defaults()
    started = time.perf_counter()
    got = download(url, None, None, settings)
    parse(got.body, got.content_type, got.url)
    return time.perf_counter() - started
