"""Health, and what readers and writers see when the database goes away and comes back."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
import sqlalchemy as sa

from dashboard import create_app
from dashboard.content import sitefile, store
from dashboard.content.store import EXTENSION as STORE
from dashboard.web import health
from dashboard.web.auth import tokens
from dashboard.worker import scheduler
from tests.helpers.admin import csrf_token, log_in, make_admin
from tests.helpers.migrations import app_at_migration
from tests.helpers.reference import REFERENCE_INSTANT, visible_text

HEAD = health.migrations()[0]  # the newest migration this code ships


def test_healthz_reports_database_and_heartbeat_and_a_stale_scheduler(app, at_reference):
    client = app.test_client()
    before = client.get("/healthz")
    assert before.status_code == 200  # no scheduler yet: reported, the node still serves
    assert before.json["database"] == {"reachable": True, "schema": "current", "revision": HEAD}
    assert before.json["scheduler"]["last_heartbeat"] is None
    assert before.json["scheduler"]["stale"] is True and before.json["status"] == "degraded"
    assert before.json["problems"] == ["scheduler: no heartbeat yet"]
    assert before.headers["Cache-Control"] == "no-store"
    assert client.get("/healthz?strict=1").status_code == 503
    scheduler.beat(app, REFERENCE_INSTANT)
    at_reference.shift(dt.timedelta(seconds=30))
    fresh = client.get("/healthz?strict=1")
    assert fresh.status_code == 200 and fresh.json["status"] == "ok"
    alive = fresh.json["scheduler"]
    assert alive["alive"] is True and alive["stale"] is False and alive["age_seconds"] == 30.0
    assert alive["last_heartbeat"] == "2020-01-26T17:58:00Z"
    assert alive["stale_after_seconds"] == 180 and fresh.json["problems"] == []
    at_reference.shift(dt.timedelta(minutes=2, seconds=31))  # 181 s after the beat
    plain, strict = client.get("/healthz"), client.get("/healthz?strict=1")
    assert plain.status_code == 200 and strict.status_code == 503
    assert plain.json == strict.json
    assert plain.json["scheduler"]["stale"] is True and plain.json["scheduler"]["alive"] is False
    assert plain.json["scheduler"]["age_seconds"] == 181.0
    assert plain.json["problems"] == ["scheduler stale: last heartbeat 181 s ago"]
    assert plain.json["status"] == "degraded"
    app.config["SCHEDULER_STALE_SECONDS"] = 600  # the setting moves the line
    assert client.get("/healthz?strict=1").status_code == 200
    refused = client.get("/healthz?strict=yes")
    assert refused.status_code == 400 and "'strict' must be 1 or 0" in refused.json["error"]


def test_healthz_tells_a_database_without_schema_from_one_that_is_gone(tmp_path):
    empty = tmp_path / "empty.sqlite3"
    empty.touch()  # never migrated
    gone = tmp_path / "no-such-folder" / "d.sqlite3"
    for url, reachable in ((f"sqlite:///{empty}", True), (f"sqlite:///{gone}", False)):
        app = create_app(
            {"TESTING": True, "DATABASE_URL": url, "INSTANCE_PATH": str(tmp_path / "i")}
        )
        for path in ("/healthz", "/healthz?strict=1"):
            response = app.test_client().get(path)
            assert response.status_code == 503
            assert response.json["database"]["reachable"] is reachable
            assert response.json["status"] == "unavailable"
            assert response.json["scheduler"] is None
        if reachable:
            assert response.json["database"]["schema"] == "missing"
            assert response.json["problems"] == ["schema missing: run dashboard migrate"]
        else:
            assert response.json["problems"] == ["database unreachable (OperationalError)"]
        app.extensions[STORE].engine.dispose()


@pytest.mark.system  # a second or more: in the full suite, not the fast tier
def test_healthz_is_503_when_the_database_is_unreachable(tmp_path):
    app = create_app(
        {
            "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2",
            "INSTANCE_PATH": str(tmp_path),
            "SECRET_KEY": "test",
        }
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"]["reachable"] is False
    app.extensions[STORE].engine.dispose()


def demo_app_in(folder, tmp_path):
    """The demo on a SQLite file in `folder`, which a test can move away to cut the store off
    for real (every new connection then fails) and move back."""
    folder.mkdir()
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{folder / 'd.sqlite3'}",
            "INSTANCE_PATH": str(tmp_path),
            "SECRET_KEY": "test",
        }
    )
    the_store = app.extensions[STORE]
    store.migrate(the_store)
    sitefile.load(the_store, sitefile.read_file(sitefile.DEMO_PATH))
    return app, the_store


@pytest.mark.system  # a second or more: in the full suite, not the fast tier
def test_database_outage_and_recovery_without_restart(tmp_path, time_machine):
    """A real outage: the SQLite file's folder disappears, then comes back."""
    folder = tmp_path / "db"
    app, the_store = demo_app_in(folder, tmp_path)
    client = app.test_client()
    time_machine.move_to(REFERENCE_INSTANT, tick=False)
    assert client.get("/").status_code == 200

    shutil.move(folder, tmp_path / "away")
    the_store.engine.dispose()  # drop open connections, as a restarted server would
    time_machine.move_to(REFERENCE_INSTANT + dt.timedelta(hours=6, minutes=3), tick=False)
    page = client.get("/")
    assert page.status_code == 200  # the last good content, at the right instant
    text = visible_text(page.get_data(as_text=True))
    assert "27 January 2020" in text and "London: 00:01" in text
    assert "694 days have passed since the Salisbury incident" in text
    assert client.get("/healthz").status_code == 503

    shutil.move(tmp_path / "away", folder)
    assert client.get("/healthz").status_code == 200
    with the_store.session() as session, session.begin():
        session.execute(sa.text("UPDATE counters SET event = 'the returned event'"))
        store.mark_changed(session)
    time_machine.move_to(REFERENCE_INSTANT + dt.timedelta(hours=6, minutes=4), tick=False)
    assert "the returned event" in client.get("/").get_data(as_text=True)
    the_store.engine.dispose()


def test_an_old_schema_says_to_migrate(database_url, tmp_path):
    app, the_store = app_at_migration(database_url, str(tmp_path), "0001")
    response = app.test_client().get("/")
    assert response.status_code == 503
    assert "run `dashboard migrate`" in response.get_data(as_text=True)
    health = app.test_client().get("/healthz")
    assert health.status_code == 503
    assert health.json["database"] == {
        "reachable": True, "schema": "behind", "revision": "0001", "head": HEAD
    }  # fmt: skip
    assert health.json["problems"] == [
        f"schema behind (0001, this version needs {HEAD}): run dashboard migrate"
    ]
    store.migrate(the_store)
    assert app.test_client().get("/").status_code == 200
    the_store.engine.dispose()


@pytest.mark.system  # a second or more: in the full suite, not the fast tier
def test_writes_answer_503_while_the_database_is_away_and_work_after(tmp_path):
    """Admin and API writes get a clear 503 and change nothing; no restart is needed after."""
    folder = tmp_path / "db"
    app, the_store = demo_app_in(folder, tmp_path)
    token = tokens.create(the_store, "newsroom")
    make_admin(app)
    admin = app.test_client()
    assert log_in(admin).status_code == 303
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    statement = {"title": "Written during an outage", "published": "2020-01-26T17:00:00Z"}
    form = {"title": "Admin during an outage", "published": "2020-01-26T17:00", "summary": "x"}
    form["csrf_token"] = csrf_token(admin, "/admin/statements/new")  # fetched while it is up

    shutil.move(folder, tmp_path / "away")
    the_store.engine.dispose()
    refused = api.post("/api/v1/statements", json=statement, headers=headers)
    assert refused.status_code == 503
    assert "database cannot be reached" in refused.json["error"]
    assert "nothing was changed" in refused.json["error"]
    page = admin.post("/admin/statements/new", data=form)
    assert page.status_code == 503
    assert "nothing was changed" in page.get_data(as_text=True)

    shutil.move(tmp_path / "away", folder)
    created = api.post("/api/v1/statements", json=statement, headers=headers)
    assert created.status_code == 201, created.get_data(as_text=True)
    with the_store.session() as session:
        titles = set(session.scalars(sa.text("SELECT title FROM statements")))
    assert "Written during an outage" in titles
    assert "Admin during an outage" not in titles
    the_store.engine.dispose()
