"""The fault drill: for two minutes a reader polls `/` every 200 ms and a press officer writes
a statement through the API every 2 s, while each process of `dashboard serve` is killed with
-9 in turn: the scheduler, each granian worker, then granian's main process.

- A request may fail only if it was in flight at the instant a web process was killed, or
  began within GRACE after it (the connection may have been queued on the dying worker's
  socket); at most two fail per kill. Nothing is retried.
- The scheduler's heartbeat is fresh again, from its replacement, within a minute of its kill.
- Nothing stored is lost: the demo loaded before, and every write the API confirmed, are all
  in the database afterwards; a write that failed is there completely or not at all.
"""

from __future__ import annotations

import dataclasses
import http.client
import json
import os
import re
import signal
import threading
import time

import sqlalchemy as sa

from dashboard.content import models
from tests.helpers.servers import HOST
from tests.helpers.serving import Heartbeat, dashboard_env, dashboard_serve, run_cli

DRILL_SECONDS = 120
POLL_EVERY, WRITE_EVERY = 0.2, 2.0
KILLS_AT = {15: "scheduler", 45: "first worker", 75: "second worker", 100: "granian"}
GRACE = 0.5
HEARTBEAT_BACK_WITHIN = 60


@dataclasses.dataclass
class Attempt:
    what: str
    began: float
    ended: float
    error: str | None


class Client:
    """One request at a time on a fresh connection, recorded whatever happens."""

    def __init__(self, port: int):
        self.port = port
        self.attempts: list[Attempt] = []

    def send(self, what: str, method: str, path: str, ok: set[int], **request) -> int | None:
        began, status, error = time.monotonic(), None, None
        connection = http.client.HTTPConnection(HOST, self.port, timeout=10)
        try:
            connection.request(method, path, **request)
            response = connection.getresponse()
            body = response.read()
            status = response.status
            if status not in ok:
                error = f"HTTP {status}: {body[:200]!r}"
        except (OSError, http.client.HTTPException) as failure:
            error = repr(failure)
        finally:
            connection.close()
        self.attempts.append(Attempt(what, began, time.monotonic(), error))
        return status


def every(seconds: float, until: float, action, stop: threading.Event) -> threading.Thread:
    def loop() -> None:
        due = time.monotonic()
        while due < until and not stop.is_set():
            action()
            due += seconds
            time.sleep(max(0.0, due - time.monotonic()))

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    return thread


def statements(engine: sa.Engine) -> set[tuple]:
    table = models.Base.metadata.tables["statements"]
    columns = [table.c.slug, table.c.title, table.c.summary, table.c.published]
    with engine.connect() as connection:
        return {tuple(str(v) for v in row) for row in connection.execute(sa.select(*columns))}


def other_content(engine: sa.Engine) -> dict[str, list]:
    with engine.connect() as connection:
        return {
            name: sorted(map(str, connection.execute(sa.select(models.Base.metadata.tables[name]))))
            for name in ("clocks", "counters", "feeds")
        }


def test_fault_drill(database_url, tmp_path):
    env = dashboard_env(database_url, tmp_path)
    run_cli(env, "load", "--demo")
    token = re.search(r"^(dsh_\S+)$", run_cli(env, "create-token", "drill"), re.M).group(1)
    engine = sa.create_engine(database_url)
    before, content_before = statements(engine), other_content(engine)
    with (
        Heartbeat(database_url) as heartbeat,
        dashboard_serve(env, tmp_path, "--workers", "2") as serve,
    ):
        serve.wait_for(
            "a scheduler's heartbeat",
            lambda: heartbeat.holder_pid() in serve.processes().scheduler,
        )
        reader, writer = Client(serve.port), Client(serve.port)
        sent: dict[str, tuple[str, str]] = {}  # slug: (title, summary)
        confirmed: list[str] = []
        beats: list[tuple[float, str]] = []  # (heartbeat_at as a Unix time, holder)

        def sample_heartbeat() -> None:
            if row := heartbeat.read():
                beats.append((row.heartbeat_at.timestamp(), row.holder))

        def read() -> None:
            reader.send("GET /", "GET", "/", {200})

        def write() -> None:
            number = len(writer.attempts)
            statement = {
                "title": f"Drill {number}",
                "slug": f"drill-{number}",
                "published": "2020-01-20T12:00:00Z",
                "summary": f"Written during the fault drill, number {number}.",
            }
            sent[statement["slug"]] = (statement["title"], statement["summary"])
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            status = writer.send(
                f"POST drill-{number}", "POST", "/api/v1/statements", {201},
                body=json.dumps(statement), headers=headers,
            )  # fmt: skip
            if status == 201:
                confirmed.append(statement["slug"])

        start, stop = time.monotonic(), threading.Event()
        threads = [
            every(POLL_EVERY, start + DRILL_SECONDS, read, stop),
            every(WRITE_EVERY, start + DRILL_SECONDS, write, stop),
            every(1.0, start + DRILL_SECONDS, sample_heartbeat, stop),
        ]
        web_kills, scheduler_kill, killed = [], None, {}
        originals = serve.processes().workers
        try:
            for at, victim in sorted(KILLS_AT.items()):
                time.sleep(max(0.0, start + at - time.monotonic()))
                now = serve.processes()
                assert len(now.web) == 1 and len(now.workers) == 2 and len(now.scheduler) == 1, (
                    f"not back to full strength before killing the {victim}: {now}"
                )
                if victim == "scheduler":
                    pid = now.scheduler[0]
                elif victim == "granian":
                    pid = now.web[0]
                else:
                    pid = next(p for p in originals if p in now.workers)
                instant = time.monotonic()
                os.kill(pid, signal.SIGKILL)
                killed[victim] = pid
                if victim == "scheduler":
                    scheduler_kill = (pid, time.time())
                else:
                    web_kills.append(instant)
            for thread in threads:
                thread.join(DRILL_SECONDS + 30)
        finally:
            stop.set()
        final = serve.processes()
        assert serve.process.poll() is None
        assert serve.stop() == 0
        assert serve.left_behind_after(10) == []
        log = serve.log()
    # The supervisor logged its restarts; granian, its workers'.
    assert f"scheduler (pid {killed['scheduler']}) exited with SIGKILL" in log
    assert f"web server (pid {killed['granian']}) exited with SIGKILL" in log
    assert log.count("Respawning worker") >= 2
    # Every failure overlaps a web process's kill, at most two a kill.
    attempts = reader.attempts + writer.attempts
    failed = [a for a in attempts if a.error]

    def overlaps(attempt: Attempt, kill: float) -> bool:
        return attempt.began <= kill + GRACE and attempt.ended >= kill

    print(  # shown with the failure, or with -s
        f"{len(reader.attempts)} reads, {len(writer.attempts)} writes ({len(confirmed)} "
        f"confirmed); failed: {[(round(a.began - start, 2), a.what, a.error) for a in failed]}; "
        f"web kills at {[round(k - start, 2) for k in web_kills]} s"
    )
    assert len(reader.attempts) >= DRILL_SECONDS / POLL_EVERY * 0.8
    assert [a for a in failed if not any(overlaps(a, k) for k in web_kills)] == []
    assert max(sum(overlaps(a, k) for a in failed) for k in web_kills) <= 2, failed
    # Replaced, every one of them; and the scheduler's replacement beat within a minute.
    assert len(final.web) == 1 and len(final.workers) == 2 and len(final.scheduler) == 1
    assert not set(final.workers) & set(originals)
    killed_pid, killed_at = scheduler_kill
    fresh = [
        at for at, holder in beats if at > killed_at and holder.rsplit(":", 1)[1] != str(killed_pid)
    ]
    assert fresh, beats
    print(f"the scheduler's replacement beat {min(fresh) - killed_at:.1f} s after the kill")
    assert min(fresh) - killed_at < HEARTBEAT_BACK_WITHIN
    # Nothing stored is lost, and what was written is whole.
    after, content_after = statements(engine), other_content(engine)
    engine.dispose()
    assert before <= after and content_after == content_before
    written = {row[0]: (row[1], row[2]) for row in after - before}
    assert set(confirmed) <= set(written)
    assert all(sent[slug] == whole for slug, whole in written.items()), written
