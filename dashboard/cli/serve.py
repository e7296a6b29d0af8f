"""Running it: `dashboard serve` (the web server and the one scheduler, kept up by
dashboard/cli/supervisor.py) and `dashboard scheduler` (the scheduler alone)."""

from __future__ import annotations

import logging
import os
import sys
import threading

import click
from flask import current_app
from flask.cli import with_appcontext

from dashboard import logs
from dashboard.cli import supervisor
from dashboard.content import store
from dashboard.content.store import current_store
from dashboard.metrics import shared_files
from dashboard.web.auth import secretkey
from dashboard.worker import scheduler

EXIT_STALLED = 3  # the scheduler gave up on a stuck tick; whoever runs it starts a fresh one
# Open connections per web worker. granian counts a connection from its accept, headers or not,
# so this must exceed the slow clients one worker may hold; beyond it the kernel queues them.
CONNECTIONS_PER_WORKER = 2048
HEADER_TIMEOUT_MS = 10_000  # a client that has not sent its request headers by then is dropped


def web_command(target: str, host: str, port: int, workers: int, threads: int) -> list[str]:
    """granian's command line for a WSGI app factory ("module:function"): `dashboard serve`'s,
    and bench/'s yardstick in the same configuration. granian reads the sockets with async
    I/O, and hands a request to one of the blocking threads only once its headers are in,
    so slow or half-open clients hold no thread. It leaves X-Forwarded-* alone: the app trusts
    them only as deep as PROXY_COUNT says (dashboard/web/__init__.py)."""
    return [
        sys.executable, "-m", "granian", "--interface", "wsgi", "--factory", target,
        "--host", host, "--port", str(port),
        "--workers", str(workers), "--blocking-threads", str(threads),
        "--http", "1", "--no-ws",  # HTTP/1.1 alone: the header timeout below is HTTP/1's
        "--http1-header-read-timeout", str(HEADER_TIMEOUT_MS),
        "--backpressure", str(CONNECTIONS_PER_WORKER), "--backlog", str(CONNECTIONS_PER_WORKER),
        "--respawn-failed-workers",  # a worker that dies is replaced at once
        "--workers-kill-timeout", "10",  # on stop; the supervisor itself waits 20 s
        # No --access-log: the app writes one access line per request itself, with its request
        # id and in LOG_FORMAT (dashboard/logs.py).
    ]  # fmt: skip


@click.command("scheduler")
@click.option("--pulse-fd", type=int, hidden=True, help="Pulse to `dashboard serve` on this fd.")
@with_appcontext
def scheduler_command(pulse_fd):
    """Run the one scheduler (a standby waits for the lock)."""
    logs.configure_for(current_app)  # LOG_LEVEL, LOG_FORMAT: as every process
    store.migrate(current_store())
    stop = threading.Event()
    pulse = supervisor.pulse_writer(pulse_fd, stop) if pulse_fd is not None else None
    try:
        scheduler.run(current_app._get_current_object(), stop=stop, pulse=pulse)
    except scheduler.Stalled:
        logging.shutdown()
        os._exit(EXIT_STALLED)  # a stuck thread would keep a normal exit waiting forever


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int, help="Web worker processes.")
@click.option(
    "--threads", default=8, show_default=True, type=int, help="Request threads per worker."
)
@click.option(
    "--no-scheduler", is_flag=True, help="Web only; a `dashboard scheduler` runs elsewhere."
)
@with_appcontext
def serve_command(host, port, workers, threads, no_scheduler):
    """Run the production web server (granian) and, unless told not to, the one scheduler;
    either is restarted when it dies or hangs. Stops on SIGTERM or Ctrl-C."""
    store.migrate(current_store())
    if not os.environ.get("SECRET_KEY"):  # sessions need one: keep a random one in the instance
        key_file, created = secretkey.ensure_key_file(current_app.instance_path)
        if created:
            click.echo(
                f"SECRET_KEY is not set: generated a random key and saved it in {key_file} "
                "(kept across restarts; set SECRET_KEY to use your own, the same on every "
                "machine)."
            )
    env = {**os.environ, "DATABASE_URL": current_app.config["DATABASE_URL"]}
    env["INSTANCE_PATH"] = current_app.instance_path
    # Each child writes its metrics there and /metrics adds them up: a directory of this run's
    # own, empty before the first child starts (dashboard/metrics/shared_files.py).
    metrics_dir = shared_files.fresh_directory(current_app.instance_path, port)
    env[shared_files.ENVIRONMENT_KEY] = str(metrics_dir)
    web = web_command("dashboard:create_app", host, port, workers, threads)
    scheduler_argv = None if no_scheduler else [sys.executable, "-m", "dashboard", "scheduler"]
    keeper = supervisor.Supervisor(
        web, scheduler_argv, env, port, workers, current_app.config["SCHEDULER_HANG_SECONDS"],
        metrics_dir=metrics_dir,
    )  # fmt: skip
    click.echo(f"Dashboard running at http://{host}:{port}/  (Ctrl-C stops it)")
    try:
        code = keeper.run()
    finally:
        shared_files.remove_directory(metrics_dir)
    sys.exit(code)


COMMANDS = [scheduler_command, serve_command]
