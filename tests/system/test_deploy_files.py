"""deploy/ as an operator uses it: each systemd unit passes `systemd-analyze verify`, and each
Procfile line, started as a Procfile runner starts it, serves or schedules."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from dashboard.content import models
from tests.helpers.servers import free_port, get, wait_for_port
from tests.helpers.serving import SECRET

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
INSTALLED = "/opt/dashboard/venv/bin/dashboard"  # where docs/deploy.md installs it
UNITS = sorted(DEPLOY.glob("*.service"))


@pytest.mark.parametrize("unit", UNITS, ids=[unit.name for unit in UNITS])
def test_each_unit_passes_systemd_analyze_verify(unit, tmp_path):
    # verify checks that ExecStart's program exists: point it at this environment's command.
    command = Path(sys.executable).with_name("dashboard")
    assert command.exists(), command
    text = unit.read_text(encoding="utf-8")
    assert INSTALLED in text
    copy = tmp_path / unit.name
    copy.write_text(text.replace(INSTALLED, str(command)), encoding="utf-8")
    result = subprocess.run(
        ["systemd-analyze", "verify", str(copy)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    # An unknown or misspelt key is only a warning: any line about this unit fails the test.
    about_unit = [line for line in result.stderr.splitlines() if unit.name in line]
    assert about_unit == [], about_unit


def _procfile() -> dict[str, str]:
    entries = {}
    for line in (DEPLOY / "Procfile").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, command = line.split(":", 1)
            entries[name.strip()] = command.strip()
    return entries


@contextlib.contextmanager
def _started(command: str, env: dict, log: Path):
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["sh", "-c", f"exec {command}"], env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_the_procfile_runs_a_web_that_answers_and_a_scheduler_that_beats(tmp_path):
    entries = _procfile()
    assert set(entries) == {"web", "scheduler"}
    url = f"sqlite:///{tmp_path}/procfile.sqlite3"
    port = free_port()
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "PORT": str(port),
    }
    loaded = subprocess.run(
        ["dashboard", "load", "--demo"], env=env, capture_output=True, text=True, timeout=120
    )
    assert loaded.returncode == 0, loaded.stderr
    web_log, scheduler_log = tmp_path / "web.log", tmp_path / "scheduler.log"
    with (
        _started(entries["web"], env, web_log) as web,
        _started(entries["scheduler"], env, scheduler_log) as scheduler,
    ):
        wait_for_port(port, web, timeout=30, log=web_log.read_text)
        status, _headers, body = get(port, "/healthz")
        assert status == 200, body
        status, _headers, body = get(port, "/")
        assert status == 200 and b"Salisbury" in body
        engine = sa.create_engine(url)
        try:
            deadline = time.monotonic() + 30
            while True:
                assert scheduler.poll() is None, scheduler_log.read_text()
                with engine.connect() as connection:
                    beats = connection.scalar(
                        sa.select(sa.func.count()).select_from(models.SchedulerState)
                    )
                if beats:
                    break
                assert time.monotonic() < deadline, scheduler_log.read_text()
                time.sleep(0.2)
        finally:
            engine.dispose()
