"""The `dashboard` command (also `flask --app dashboard …`)."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from dashboard import scheduler, sitefile, store, timecalc
from dashboard.snapshot import Snapshot, snapshot_json


def _store() -> store.Store:
    return current_app.extensions["dashboard.store"]


@click.command("migrate")
@with_appcontext
def migrate_command():
    """Create or upgrade the database schema."""
    store.migrate(_store())
    click.echo(f"Database is up to date: {_safe_url()}")


@click.command("load")
@click.argument("path", required=False, type=click.Path(dir_okay=False))
@click.option("--demo", is_flag=True, help="Load the bundled demo content.")
@with_appcontext
def load_command(path, demo):
    """Upsert a site file (TOML): all of it, or nothing."""
    if bool(path) == bool(demo):
        raise click.UsageError("give a site file, or --demo (not both)")
    source = sitefile.DEMO_PATH if demo else path
    try:
        spec = sitefile.read_file(source)
    except sitefile.SiteFileError as error:
        raise click.ClickException(str(error)) from None
    store.migrate(_store())
    from dashboard.export import progress_wrapper  # a bar for thousands of statements on a tty

    report = sitefile.load(_store(), spec, progress=progress_wrapper("Loading statements"))
    current_app.extensions["dashboard.live"].invalidate()
    click.echo(f"Loaded {source}: {report.summary()}")


@click.command("snapshot")
@click.option("--at", "at_text", help="A UTC instant, e.g. 2020-01-26T17:58:00Z (default: now).")
@click.option("--json", "as_json", is_flag=True, help="Print the same JSON as /api/v1/snapshot.")
@with_appcontext
def snapshot_command(at_text, as_json):
    """Print what the dashboard shows at an instant."""
    try:
        at = timecalc.parse_instant(at_text) if at_text else timecalc.utcnow()
    except timecalc.TimeError as error:
        raise click.BadParameter(str(error), param_hint="--at") from None
    try:
        shot = current_app.extensions["dashboard.live"].snapshot(at)
    except store.NotInitialised as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        click.echo(json.dumps(snapshot_json(shot), ensure_ascii=False, indent=2))
    else:
        click.echo(snapshot_text(shot))


def snapshot_text(shot: Snapshot) -> str:
    lines = [shot.date.text]
    lines += [f"{clock.label}: {clock.time}" for clock in shot.clocks]
    if shot.contact:
        lines.append(shot.contact)
    lines += [counter.text for counter in shot.counters]
    if shot.featured:
        lines.append(f"Featured: {shot.featured.item.title}")
    lines += [f"{s.date_text} - {s.item.title}" for s in shot.latest]
    return "\n".join(lines)


@click.command("scheduler")
@with_appcontext
def scheduler_command():
    """Run the one scheduler (a standby waits for the lock)."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    store.migrate(_store())
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
    store.migrate(_store())
    if not os.environ.get("SECRET_KEY"):  # sessions need one: keep a random one in the instance
        from dashboard import secretkey

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


def _safe_url() -> str:
    from sqlalchemy.engine import make_url

    return make_url(current_app.config["DATABASE_URL"]).render_as_string(hide_password=True)


COMMANDS = [migrate_command, load_command, snapshot_command, scheduler_command, serve_command]


def init_app(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)


def _create_app():
    from dashboard import create_app

    return create_app(require_secret_key=False)  # the CLI's own process signs no sessions


main = FlaskGroup(create_app=_create_app, help="A live 'days since' dashboard.")
