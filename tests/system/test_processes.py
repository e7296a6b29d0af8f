"""The commands as separate processes: `dashboard serve`, the scheduler killed with -9 or
stuck, the development server's reloader, and the CLI on a terminal."""

from __future__ import annotations

import os
import pty
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import sqlalchemy as sa

from dashboard.cache import live
from dashboard.content import models
from dashboard.content.store import EXTENSION as STORE
from dashboard.worker import scheduler
from tests.helpers.servers import free_port


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
    with app.extensions[STORE].session() as session:
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
    port = free_port()
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


def test_dashboard_serve_works_without_a_secret_key(database_url, tmp_path):
    """The README's demo: load --demo, then serve, with no SECRET_KEY anywhere."""
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(DATABASE_URL=database_url, INSTANCE_PATH=str(tmp_path / "instance"))
    command = [sys.executable, "-m", "dashboard"]
    loaded = subprocess.run(
        [*command, "load", "--demo"], env=env, capture_output=True, text=True, timeout=120
    )
    assert loaded.returncode == 0, loaded.stderr
    port = free_port()
    server = subprocess.Popen(
        [*command, "serve", "--port", str(port), "--workers", "1", "--no-scheduler"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        body, deadline = "", time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/login", timeout=5) as r:
                    body, cookie = r.read().decode(), r.headers["Set-Cookie"]
                break
            except OSError:
                time.sleep(0.3)
        assert 'name="csrf_token"' in body and "HttpOnly" in cookie
        for number in (1, 2):  # Flask answers the first, the fast path the second
            asked = urllib.request.Request(
                f"http://127.0.0.1:{port}/", headers={"X-Request-Id": f"page-{number}"}
            )
            with urllib.request.urlopen(asked, timeout=5) as page:
                assert page.status == 200
    finally:
        server.send_signal(signal.SIGTERM)  # at once: access lines still waiting are written
        output, logged = server.communicate(timeout=60)
    assert "[page-1]: GET / 200" in logged and "[page-2]: GET / 200" in logged
    key_file = Path(tmp_path / "instance" / "secret_key")
    assert "SECRET_KEY is not set: generated a random key and saved it in" in output
    assert str(key_file) in output
    assert len(key_file.read_text().strip()) == 64


def many_statements(count: int) -> str:
    lines = ['[site]\ntitle = "Many"\ntimezone = "UTC"\n']
    for number in range(count):
        lines.append(
            f'[[statements]]\nslug = "s-{number}"\npublished = 2020-01-01T00:00:00Z\n'
            f'title = "Statement {number}"\n'
        )
    return "\n".join(lines)


def run_on_a_terminal(args: list[str], env: dict) -> tuple[int, str]:
    """Run the CLI with its stdout on a pseudo-terminal, as a person would."""
    leader, follower = pty.openpty()
    try:
        process = subprocess.Popen(
            args, stdout=follower, stderr=follower, stdin=subprocess.DEVNULL, env=env
        )
        os.close(follower)
        follower = -1
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        return process.wait(timeout=120), b"".join(chunks).decode("utf-8", "replace")
    finally:
        if follower != -1:
            os.close(follower)
        os.close(leader)


def test_thousands_of_statements_show_a_progress_bar_on_a_terminal_only(database_url, tmp_path):
    site_file = tmp_path / "many.toml"
    site_file.write_text(many_statements(2000), encoding="utf-8")
    env = {**os.environ, "DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path)}
    command = [sys.executable, "-m", "dashboard"]
    code, output = run_on_a_terminal([*command, "load", str(site_file)], env)
    assert code == 0, output
    assert "Loading statements" in output and "2000/2000" in output
    code, output = run_on_a_terminal([*command, "export", str(tmp_path / "out.toml")], env)
    assert code == 0, output
    assert "Exporting statements" in output and "2000/2000" in output
    piped = subprocess.run(
        [*command, "export", str(tmp_path / "piped.toml")],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert piped.returncode == 0 and "Exporting statements" not in piped.stdout + piped.stderr
    assert (tmp_path / "piped.toml").read_bytes() == (tmp_path / "out.toml").read_bytes()


def test_a_scheduler_whose_tick_is_stuck_gives_up(app, monkeypatch):
    """The minute tick blocks (a database that never answers): the scheduler pulses while it
    waits, then raises Stalled instead of sitting on the lock, so that a fresh one replaces it
    (`dashboard scheduler` exits; `dashboard serve` starts another)."""
    release, beaten = threading.Event(), threading.Event()
    monkeypatch.setattr(live.LivePages, "warm", lambda _pages, _now: release.wait(30) and 0)
    real_beat = scheduler.beat

    def beat(*args):
        real_beat(*args)
        beaten.set()

    monkeypatch.setattr(scheduler, "beat", beat)
    locks = []  # a scheduler that gave up leaves its lock to its process's exit: not here

    def lock_for(*args):
        locks.append(real_lock_for(*args))
        return locks[-1]

    real_lock_for = scheduler.lock_for
    monkeypatch.setattr(scheduler, "lock_for", lock_for)
    pulses, outcome = [], []

    def run() -> None:
        try:
            scheduler.run(app, pulse=lambda: pulses.append(time.monotonic()), stall_after=1.5)
        except scheduler.Stalled as error:
            outcome.append((time.monotonic(), error))

    started = time.monotonic()
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(20)
    release.set()  # let the stuck tick end while its database is still there
    assert beaten.wait(10)
    for lock in locks:
        lock.release()
    assert not thread.is_alive() and outcome, "the scheduler never gave up"
    gave_up, error = outcome[0]
    assert gave_up - started >= 1.5 and "no tick finished" in str(error)
    assert len(pulses) >= 2 and max(pulses) <= gave_up  # alive until then, silent since
