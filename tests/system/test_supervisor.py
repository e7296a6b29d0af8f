"""`dashboard serve` keeps itself up: a hung scheduler is replaced, a standby scheduler is
left alone, SIGTERM stops everything with exit code 0, and kill -9 of `dashboard serve` itself
leaves no process behind and the port free. Dead children (the scheduler, a granian worker,
granian's main process) are the fault drill's, in test_fault_drill.py."""

from __future__ import annotations

import os
import signal
import subprocess
import time

from tests.helpers.serving import (
    DASHBOARD,
    Heartbeat,
    dashboard_env,
    dashboard_serve,
    descendants,
)


def stop_and_check_nothing_is_left(serve) -> None:
    assert serve.stop() == 0, serve.log()[-3000:]
    assert serve.left_behind_after(10) == []


def test_kill_9_of_serve_stops_its_children_and_frees_the_port(app, tmp_path):
    """The supervisor's own death (kill -9, the OOM killer) takes its children with it, and
    a new `dashboard serve` starts on the same port at once."""
    env = dashboard_env(app.config["DATABASE_URL"], tmp_path)
    with dashboard_serve(env, tmp_path, "--workers", "1") as serve:
        started = serve.wait_for(
            "the web server, a worker and the scheduler",
            lambda: len(below := descendants(serve.process.pid)) >= 3 and below,
        )
        serve.process.kill()
        serve.process.wait(10)
        assert serve.left_behind_after(30) == [], started
        try:
            serve.get("/", timeout=1)
        except OSError:
            pass
        else:
            raise AssertionError("something still answers on the port")
    with dashboard_serve(
        env, tmp_path, "--no-scheduler", "--workers", "1", port=serve.port
    ) as again:
        stop_and_check_nothing_is_left(again)


def test_a_standby_is_left_alone_and_a_hung_scheduler_is_replaced(app, tmp_path):
    """Another scheduler (as on another machine) holds the lock: `dashboard serve`'s own one
    stands by, silent in the database, and is not replaced for that. Once it acts, SIGSTOP
    makes it hang: it is stopped and a fresh one takes over. SIGTERM then stops everything."""
    env = dashboard_env(app.config["DATABASE_URL"], tmp_path, SCHEDULER_HANG_SECONDS="2")
    elsewhere = subprocess.Popen(
        [*DASHBOARD, "scheduler"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        with (
            Heartbeat(app.config["DATABASE_URL"]) as heartbeat,
            dashboard_serve(env, tmp_path, "--workers", "1") as serve,
        ):
            acting = elsewhere.pid
            serve.wait_for("the other scheduler acts", lambda: heartbeat.holder_pid() == acting)
            standby = serve.wait_for("a standby", lambda: serve.processes().scheduler)
            time.sleep(5)  # two and a half times SCHEDULER_HANG_SECONDS
            assert serve.processes().scheduler == standby
            assert heartbeat.holder_pid() == elsewhere.pid
            elsewhere.kill()
            elsewhere.wait(10)
            serve.wait_for("the standby takes over", lambda: heartbeat.holder_pid() == standby[0])
            os.kill(standby[0], signal.SIGSTOP)
            replacement = serve.wait_for(
                "a fresh scheduler acting in its place",
                lambda: (pid := heartbeat.holder_pid()) not in (None, standby[0]) and pid,
                30,
            )
            assert serve.processes().scheduler == [replacement]
            assert f"the scheduler (pid {standby[0]}) has shown no sign of life" in serve.log()
            assert serve.answers()
            stop_and_check_nothing_is_left(serve)
    finally:
        if elsewhere.poll() is None:
            elsewhere.kill()
            elsewhere.wait(10)
