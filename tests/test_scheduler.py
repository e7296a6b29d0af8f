"""The one scheduler: warm bytes serve requests without rendering; one lock, with takeover."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import sqlalchemy as sa
import time_machine

from dashboard import create_app, live, models, schedlock, scheduler, store
from tests.conftest import REFERENCE_INSTANT
from tests.test_reference import visible_text


def forbid_rendering(monkeypatch):
    def render(*_args, **_kwargs):
        raise AssertionError("a request rendered although warm bytes were there")

    monkeypatch.setattr(live.LivePages, "render", render)


def test_create_app_starts_no_scheduler(app):
    names = {thread.name for thread in threading.enumerate()}
    assert not any("APScheduler" in name for name in names)
    assert "scheduler" not in app.extensions


def test_warmed_bytes_serve_requests_without_rendering(app, monkeypatch, at_reference):
    pages = app.extensions["dashboard.live"]
    written = pages.warm(REFERENCE_INSTANT)
    # This minute and the next: page, fragment and JSON in two languages; the whole embed and
    # one per counter, as page and fragment, in two languages; each counter's two badges in two
    # languages. The demo has two counters.
    assert written == 2 * (3 * 2 + 3 * 2 * 2 + 2 * 2 * 2)
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
    at_reference.shift(dt.timedelta(minutes=1))  # the next minute was warmed ahead
    assert "17:59" in client.get("/").get_data(as_text=True)
    web.extensions["dashboard.store"].engine.dispose()


WARMED_URLS = [
    ("/", {}),
    ("/?lang=ru", {"HX-Request": "true"}),
    ("/api/v1/snapshot", {}),
    ("/embed", {}),
    ("/embed?lang=ru", {"HX-Request": "true"}),
    ("/embed?counters=glushkov", {}),
    ("/badge/salisbury.svg", {}),
    ("/badge/salisbury.json?lang=ru", {}),
]


def test_warmed_bytes_are_the_bytes_a_request_renders(app, monkeypatch, at_reference):
    """The scheduler renders outside any request; readers must not be able to tell."""
    rendered_here = {}
    for url, headers in WARMED_URLS:
        response = app.test_client().get(url, headers=headers)
        rendered_here[url] = (response.get_data(), response.headers["ETag"])
    app.extensions["dashboard.live"].warm(REFERENCE_INSTANT)
    web = create_app(
        {"DATABASE_URL": app.config["DATABASE_URL"], "INSTANCE_PATH": "/tmp/x", "SECRET_KEY": "t"}
    )
    forbid_rendering(monkeypatch)
    for url, headers in WARMED_URLS:
        response = web.test_client().get(url, headers=headers)
        assert (response.get_data(), response.headers["ETag"]) == rendered_here[url], url
    web.extensions["dashboard.store"].engine.dispose()


def test_an_edit_makes_warm_bytes_stale(app, at_reference):
    pages = app.extensions["dashboard.live"]
    pages.warm(REFERENCE_INSTANT)
    the_store = app.extensions["dashboard.store"]
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
    pages = app.extensions["dashboard.live"]
    pages.warm(REFERENCE_INSTANT)
    the_store = app.extensions["dashboard.store"]
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
    pages = app.extensions["dashboard.live"]
    pages.warm(REFERENCE_INSTANT)
    pages.warm(REFERENCE_INSTANT + dt.timedelta(minutes=5))
    with app.extensions["dashboard.store"].session() as session:
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
            with app.extensions["dashboard.store"].session() as session:
                beat = session.get(models.SchedulerState, "scheduler")
            time.sleep(0.05)
        stop.set()
        thread.join(10)
    assert beat is not None and beat.holder.endswith(f":{os.getpid()}")
    assert not thread.is_alive()
    lock = schedlock.lock_for(app.extensions["dashboard.store"].engine, app.instance_path)
    assert lock.acquire()  # released on the way out
    lock.release()


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
    lock = schedlock.lock_for(app.extensions["dashboard.store"].engine, app.instance_path)
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


def _scheduler_process(app) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": app.config["DATABASE_URL"],
        "INSTANCE_PATH": app.instance_path,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "dashboard", "scheduler"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _holder(app) -> str | None:
    with app.extensions["dashboard.store"].session() as session:
        state = session.get(models.SchedulerState, "scheduler")
        return state.holder if state else None


def _wait_for(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_standby_takes_over_after_kill_9(app):
    """About 10 s: the standby retries the lock every 5 s."""
    active = _scheduler_process(app)
    standby = None
    try:
        assert _wait_for(lambda: (_holder(app) or "").endswith(f":{active.pid}"), 20)
        standby = _scheduler_process(app)
        time.sleep(2)
        assert _holder(app).endswith(f":{active.pid}")  # the standby did not act
        active.send_signal(signal.SIGKILL)
        active.wait(5)
        assert _wait_for(lambda: (_holder(app) or "").endswith(f":{standby.pid}"), 30)
    finally:
        for process in (active, standby):
            if process and process.poll() is None:
                process.terminate()
                process.wait(10)


def test_a_crawler_walking_the_archive_does_not_push_out_the_page(app, monkeypatch, at_reference):
    """The per-process memory keeps the most recently used bytes: a reader's page survives
    hundreds of distinct archive cursors asked for in between."""
    client = app.test_client()
    assert client.get("/").status_code == 200
    renders = []
    real_render = live.LivePages.render

    def counting(self, key, *args, **kwargs):
        renders.append(key)
        return real_render(self, key, *args, **kwargs)

    monkeypatch.setattr(live.LivePages, "render", counting)
    for number in range(live.MEMORY_ENTRIES + 50):
        cursor = f"2019-12-01T00:00:00Z_{number}"
        assert client.get(f"/statements?before={cursor}").status_code == 200
        if number % 50 == 0:
            assert client.get("/").status_code == 200  # readers keep reading meanwhile
    assert client.get("/").status_code == 200
    assert "page:en" not in renders
    assert len(renders) == live.MEMORY_ENTRIES + 50  # one per cursor, nothing else


def test_flask_run_with_the_reloader_serves_and_starts_no_scheduler(database_url, tmp_path):
    """The development server: `flask --app dashboard run --debug` serves the page, and its
    reloader (a parent process and a child) starts no scheduler at all, so none is doubled."""
    env = {**os.environ, "DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path / "i")}
    env.pop("SECRET_KEY", None)  # debug runs without one
    loaded = subprocess.run(
        [sys.executable, "-m", "dashboard", "load", "--demo"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert loaded.returncode == 0, loaded.stderr
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "dashboard",
            "run",
            "--debug",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # the reloader's child too is stopped with the group
    )
    try:
        body, deadline = "", time.monotonic() + 60
        while time.monotonic() < deadline and not body:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    body = response.read().decode()
            except OSError:
                time.sleep(0.3)
        assert "days have passed since the Salisbury incident" in body
        time.sleep(2)  # a scheduler would have ticked at once and stored its heartbeat
        engine = sa.create_engine(database_url)
        with engine.connect() as connection:
            beats = connection.scalar(sa.select(sa.func.count()).select_from(models.SchedulerState))
            warmed = connection.scalar(sa.select(sa.func.count()).select_from(models.Rendered))
        engine.dispose()
        assert (beats, warmed) == (0, 0)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        _, errors = server.communicate(timeout=30)
    assert "Restarting with" in errors  # the reloader was really on


def test_many_threads_hitting_and_missing_the_memory_never_fail(app, at_reference):
    """gunicorn runs 8 threads a worker: hits reorder the memory while misses sweep it."""
    pages = app.extensions["dashboard.live"]
    errors = []

    def view(shot):
        return "bytes", shot.minute + dt.timedelta(minutes=1)

    def reader(number: int) -> None:
        with app.test_request_context("/"):
            for i in range(400):
                key = "hot" if i % 2 else f"cold-{number}-{i}"
                try:
                    pages.get(key, REFERENCE_INSTANT, view=view)
                except Exception as error:  # noqa: BLE001 - any failure is the finding
                    errors.append(repr(error))
                    return

    switching = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        threads = [threading.Thread(target=reader, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        sys.setswitchinterval(switching)
    assert errors == []
