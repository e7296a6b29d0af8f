"""Running it: `dashboard serve` (the web server and the one scheduler) and `dashboard
scheduler` (the scheduler alone)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import click
from flask import current_app
from flask.cli import with_appcontext

from dashboard import logs
from dashboard.content import store
from dashboard.content.store import current_store
from dashboard.web.auth import secretkey
from dashboard.worker import scheduler


@click.command("scheduler")
@with_appcontext
def scheduler_command():
    """Run the one scheduler (a standby waits for the lock)."""
    logs.configure_for(current_app)  # LOG_LEVEL, LOG_FORMAT: as every process
    store.migrate(current_store())
    scheduler.run(current_app._get_current_object())


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@click.option(
    "--no-scheduler", is_flag=True, help="Web only; a `dashboard scheduler` runs elsewhere."
)
@with_appcontext
def serve_command(host, port, workers, threads, no_scheduler):
    """Run the production web server (gunicorn) and, unless told not to, the one scheduler."""
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
    children: list[subprocess.Popen] = []
    if not no_scheduler:
        children.append(subprocess.Popen([sys.executable, "-m", "dashboard", "scheduler"], env=env))
    gunicorn = [
        sys.executable, "-m", "gunicorn",
        "--bind", f"{host}:{port}",
        "--workers", str(workers), "--threads", str(threads), "--worker-class", "gthread",
        "--no-control-socket",  # several servers on one machine must not share one socket
        "--access-logfile", "-",
        "dashboard:create_app()",
    ]  # fmt: skip
    children.append(subprocess.Popen(gunicorn, env=env))
    click.echo(f"Dashboard running at http://{host}:{port}/  (Ctrl-C stops it)")

    def stop(*_):
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    finally:
        stop()
        for child in children:
            child.wait(timeout=30)
    failed = [c for c in children if c.returncode not in (0, -signal.SIGTERM)]
    if failed:
        raise click.ClickException(f"{failed[0].args[2:4]} exited with {failed[0].returncode}")


COMMANDS = [scheduler_command, serve_command]
