"""The one scheduler: warm bytes serve requests without rendering; one lock, with takeover."""

from __future__ import annotations

import datetime as dt
import os
import threading
import time

import pytest
import sqlalchemy as sa
import time_machine

from dashboard import config, create_app
from dashboard.cache import live
from dashboard.cache.live import EXTENSION as LIVE
from dashboard.content import models, store
from dashboard.content.store import EXTENSION as STORE
from dashboard.web.public import views
from dashboard.worker import scheduler
from dashboard.worker.lock import lock_for
from tests.helpers.reference import REFERENCE_INSTANT, visible_text


def forbid_rendering(monkeypatch):
    def render(*_args, **_kwargs):
        raise AssertionError("a request rendered although warm bytes were there")

    monkeypatch.setattr(live.LivePages, "render", render)


def test_create_app_starts_no_scheduler(app):
    names = {thread.name for thread in threading.enumerate()}
    assert not any("APScheduler" in name for name in names)
    assert "scheduler" not in app.extensions


def test_warmed_bytes_serve_requests_without_rendering(app, monkeypatch, at_reference):
    pages = app.extensions[LIVE]
    written = pages.warm(REFERENCE_INSTANT)
    # This minute and the next: page, fragment and JSON in two languages; the whole embed and
    # one per counter, as page and fragment, in two languages; each counter's two badges in two
    # languages; each counter's page and its live block in two languages; its share card and
    # PNG badge (1x and 2x), in two languages; the board, as page and fragment, in two
    # languages. The demo has two counters.
    assert written == 2 * (3 * 2 + 3 * 2 * 2 + 2 * 2 * 2 + 2 * 2 * 2 + 3 * 2 * 2 + 2 * 2)
    # A fresh web process: nothing in its memory, only the store's warm rows.
    web = create_app(
        {"DATABASE_URL": app.config["DATABASE_URL"], "INSTANCE_PATH": "/tmp/x", "SECRET_KEY": "t"}
    )
    forbid_rendering(monkeypatch)
    client = web.test_client()
    assert "17:58" in client.get("/").get_data(as_text=True)
    assert "17:58" in client.get("/", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert client.get("/api/v1/snapshot").json["clocks"][1]["time"] == "17:58"
    # What other sites embed: the widget, a one-counter widget, and badges.
    assert "17:58" in client.get("/embed").get_data(as_text=True)
    assert "17:58" in client.get("/embed?lang=ru", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    assert "693" in client.get("/embed?counters=salisbury").get_data(as_text=True)
    assert "693 days" in client.get("/badge/salisbury.svg").get_data(as_text=True)
    assert client.get("/badge/glushkov.json?lang=ru").json["message"] == "685 дней"
    assert "record: 693 days" in client.get("/counters/salisbury").get_data(as_text=True)
    live = client.get("/counters/glushkov?lang=ru", headers={"HX-Request": "true"})
    assert "рекорд: 685 дней" in live.get_data(as_text=True)
    at_reference.shift(dt.timedelta(minutes=1))  # the next minute was warmed ahead
    assert "17:59" in client.get("/").get_data(as_text=True)
    web.extensions[STORE].engine.dispose()


WARMED_URLS = [
    ("/", {}),
    ("/?lang=ru", {"HX-Request": "true"}),
    ("/api/v1/snapshot", {}),
    ("/embed", {}),
    ("/embed?lang=ru", {"HX-Request": "true"}),
    ("/embed?counters=glushkov", {}),
    ("/board", {}),
    ("/board?lang=ru", {"HX-Request": "true"}),
    ("/badge/salisbury.svg", {}),
    ("/badge/salisbury.json?lang=ru", {}),
    ("/badge/glushkov.png?scale=2", {}),
    ("/counters/salisbury/card.png?lang=ru", {}),
]


def test_warmed_bytes_are_the_bytes_a_request_renders(app, monkeypatch, at_reference):
    """The scheduler renders outside any request; readers must not be able to tell."""
    rendered_here = {}
    for url, headers in WARMED_URLS:
        response = app.test_client().get(url, headers=headers)
        rendered_here[url] = (response.get_data(), response.headers["ETag"])
    app.extensions[LIVE].warm(REFERENCE_INSTANT)
    web = create_app(
        {"DATABASE_URL": app.config["DATABASE_URL"], "INSTANCE_PATH": "/tmp/x", "SECRET_KEY": "t"}
    )
    forbid_rendering(monkeypatch)
    for url, headers in WARMED_URLS:
        response = web.test_client().get(url, headers=headers)
        assert (response.get_data(), response.headers["ETag"]) == rendered_here[url], url
    web.extensions[STORE].engine.dispose()


def test_an_edit_makes_warm_bytes_stale(app, at_reference):
    pages = app.extensions[LIVE]
    pages.warm(REFERENCE_INSTANT)
    the_store = app.extensions[STORE]
    with the_store.session() as session:
        assert store.rendered_bytes(session, "page:en", REFERENCE_INSTANT) is not None
    with the_store.session() as session, session.begin():
        session.execute(sa.update(models.Counter).values(event="the edited event"))
        store.mark_changed(session)
    with the_store.session() as session:
        assert store.rendered_bytes(session, "page:en", REFERENCE_INSTANT) is None
    # A process that had the page in memory sees the edit at the next minute at the latest.
    at_reference.shift(dt.timedelta(minutes=1))
    assert "the edited event" in app.test_client().get("/").get_data(as_text=True)


def test_rows_from_an_older_revision_are_ignored(app):
    pages = app.extensions[LIVE]
    pages.warm(REFERENCE_INSTANT)
    the_store = app.extensions[STORE]
    with the_store.session() as session:
        assert store.rendered_bytes(session, "badge.svg:salisbury:flat:en:-", REFERENCE_INSTANT)
    with the_store.session() as session, session.begin():
        session.execute(sa.update(models.Site).values(revision=models.Site.revision + 1))
    with the_store.session() as session:
        assert store.rendered_bytes(session, "page:en", REFERENCE_INSTANT) is None
        assert (
            store.rendered_bytes(session, "badge.svg:salisbury:flat:en:-", REFERENCE_INSTANT)
            is None
        )


def test_store_outage_keeps_serving_the_right_minute(app, monkeypatch, at_reference):
    client = app.test_client()
    assert client.get("/").status_code == 200

    def unreachable(*_args, **_kwargs):
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(store, "current_revision", unreachable)
    monkeypatch.setattr(store, "rendered_bytes", unreachable)
    at_reference.shift(dt.timedelta(hours=7))  # past London midnight: a new day
    text = visible_text(client.get("/").get_data(as_text=True))
    assert "London: 00:58" in text and "27 January 2020" in text
    assert "694 days have passed since the Salisbury incident" in text


def test_old_warm_rows_are_pruned(app):
    pages = app.extensions[LIVE]
    pages.warm(REFERENCE_INSTANT)
    pages.warm(REFERENCE_INSTANT + dt.timedelta(minutes=5))
    with app.extensions[STORE].session() as session:
        minutes = set(session.scalars(sa.select(models.Rendered.minute)))
    assert minutes == {
        REFERENCE_INSTANT + dt.timedelta(minutes=5),
        REFERENCE_INSTANT + dt.timedelta(minutes=6),
    }


def test_run_ticks_at_once_then_stops_and_releases_the_lock(app):
    stop = threading.Event()
    with time_machine.travel(REFERENCE_INSTANT, tick=True):
        thread = threading.Thread(target=scheduler.run, args=(app, stop), daemon=True)
        thread.start()
        deadline = time.monotonic() + 30  # returns as soon as the first beat is stored
        beat = None
        while beat is None and time.monotonic() < deadline:
            with app.extensions[STORE].session() as session:
                beat = session.get(models.SchedulerState, "scheduler")
            time.sleep(0.05)
        stop.set()
        thread.join(10)
    assert beat is not None and beat.holder.endswith(f":{os.getpid()}")
    assert not thread.is_alive()
    lock = lock_for(app.extensions[STORE].engine, app.instance_path)
    assert lock.acquire()  # released on the way out
    lock.release()


@pytest.mark.system  # a second or more: in the full suite, not the fast tier
def test_a_second_scheduler_stands_by_until_the_first_stops(app):
    first_stop, second_stop = threading.Event(), threading.Event()
    first = threading.Thread(target=scheduler.run, args=(app, first_stop), daemon=True)
    first.start()
    time.sleep(0.5)
    second = threading.Thread(
        target=scheduler.run, args=(app, second_stop), kwargs={"standby_retry": 0.1}, daemon=True
    )
    second.start()
    time.sleep(0.5)
    lock = lock_for(app.extensions[STORE].engine, app.instance_path)
    assert not lock.acquire()
    first_stop.set()
    first.join(30)
    assert not first.is_alive()
    deadline = time.monotonic() + 10
    while lock.acquire():  # free until the standby takes it
        lock.release()
        assert time.monotonic() < deadline, "the standby never took the lock"
        time.sleep(0.1)
    assert second.is_alive()  # it took the lock rather than giving up
    second_stop.set()
    second.join(30)
    assert not second.is_alive()


@pytest.mark.system  # a second or more: in the full suite, not the fast tier
def test_a_crawler_walking_the_archive_does_not_push_out_the_page(app, monkeypatch, at_reference):
    """The per-process memory keeps the most recently used bytes: a reader's page survives
    hundreds of distinct archive cursors asked for in between."""
    client = app.test_client()
    assert client.get("/").status_code == 200
    renders = []
    real_render = live.LivePages.render

    def counting(self, at, view, *args, **kwargs):
        renders.append(view)
        return real_render(self, at, view, *args, **kwargs)

    monkeypatch.setattr(live.LivePages, "render", counting)
    monkeypatch.setattr(config, "MEMORY_ENTRIES", 100)  # a smaller memory fills sooner
    for number in range(config.MEMORY_ENTRIES + 50):
        cursor = f"2019-12-01T00:00:00Z_{number}"
        assert client.get(f"/statements?before={cursor}").status_code == 200
        if number % 10 == 0:
            assert client.get("/").status_code == 200  # readers keep reading meanwhile
    assert client.get("/").status_code == 200
    assert views.page_view not in renders
    assert len(renders) == config.MEMORY_ENTRIES + 50  # one per cursor, nothing else
