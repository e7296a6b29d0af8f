"""Measurement 4's data: many generated statements, the cursor of a deep archive page, and
what the first request of a minute costs in a process."""

from __future__ import annotations

import datetime as dt
import statistics
import time

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bench.servers import Instance
from dashboard import create_app
from dashboard.cache.live import pages_of
from dashboard.content import models, store
from dashboard.content.store import store_of
from dashboard.web.params import format_cursor


def add_statements(database_url: str, total: int) -> None:
    """Insert generated statements (older than the demo's) up to `total`, then bump the site's
    revision the way a write through the app does, so every process re-reads the content."""
    the_store = store.make_store(database_url)  # its connections keep the search index
    engine = the_store.engine
    try:
        with Session(engine) as session, session.begin():
            have = session.scalar(sa.select(sa.func.count()).select_from(models.Statement))
            start = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)
            rows = [
                {
                    "slug": f"bench-{number:06d}",
                    "published": start + dt.timedelta(hours=2 * number),
                    "title": f"Generated statement number {number}",
                    "summary": "A generated statement for the benchmark, with a summary of "
                    "ordinary length so that the archive page has realistic bytes to render.",
                    "body": "",
                    "featured": False,
                    "source_url": "",
                }
                for number in range(total - have)
            ]
            for chunk in range(0, len(rows), 20_000):
                session.execute(sa.insert(models.Statement), rows[chunk : chunk + 20_000])
            store.mark_changed(session)
    finally:
        engine.dispose()


def deep_cursor(database_url: str, total: int) -> str:
    """The `before` cursor that shows the second-to-last page of the archive."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            row = connection.execute(
                sa.select(models.Statement.published, models.Statement.id)
                .order_by(models.Statement.published.desc(), models.Statement.id.desc())
                .offset(total - 40)
                .limit(1)
            ).one()
    finally:
        engine.dispose()
    published = row.published
    if published.tzinfo is None:
        published = published.replace(tzinfo=dt.UTC)
    return format_cursor((published, row.id))


def cold_timings(instance: Instance, samples: int = 30) -> dict[str, dict[str, float]]:
    """What the first request of a minute costs in a process, in-process through Flask's test
    client: the cost wrk's p99 hides, since each process renders an archive page once a minute
    and then serves it from memory. A new minute finds the content (read once per content
    revision) still in memory but nothing rendered: the rendered bytes are dropped and the
    content kept. After a write the content is read again too (`invalidate()`): measured for
    the snapshot as `after_write`."""
    app = create_app(
        {
            "DATABASE_URL": instance.database_url,
            "INSTANCE_PATH": instance.env["INSTANCE_PATH"],
            "SECRET_KEY": instance.env["SECRET_KEY"],
        }
    )
    pages = pages_of(app)
    client = app.test_client()
    engine = store_of(app).engine
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(models.Statement.published, models.Statement.id)
            .order_by(models.Statement.published.asc(), models.Statement.id.asc())
            .limit(samples + 40)
        ).all()
    cursors = [format_cursor((r.published, r.id)) for r in rows[40:]]
    timings: dict[str, list[float]] = {
        "statements": [],
        "deep": [],
        "snapshot": [],
        "after_write": [],
    }

    def timed(key: str, path: str) -> None:
        started = time.perf_counter()
        response = client.get(path)
        timings[key].append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)

    client.get("/statements")  # the content, read once
    for index in range(samples):
        with pages._lock:  # a new minute: nothing rendered yet, the content still in memory
            pages._memory.clear()
        timed("statements", "/statements")
        timed("deep", "/statements?before=" + cursors[index])
        timed("snapshot", "/api/v1/snapshot")
        pages.invalidate()  # after a write: the content is read again as well
        timed("after_write", "/api/v1/snapshot")
    engine.dispose()
    return {
        key: {
            "p50_ms": statistics.median(values) * 1000,
            "max_ms": max(values) * 1000,
        }
        for key, values in timings.items()
    }
