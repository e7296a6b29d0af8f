"""Content commands: migrate, load, snapshot, export, fetch-feeds."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url

from dashboard.cache.live import live_pages
from dashboard.content import sitefile, store
from dashboard.content.sitefile.writer import progress, progress_wrapper
from dashboard.content.store import current_store
from dashboard.core import timecalc
from dashboard.core.snapshot import Snapshot
from dashboard.feeds.jobs import poll_feeds
from dashboard.i18n.languages import locales
from dashboard.web.api.v1.snapshot import snapshot_json


@click.command("migrate")
@with_appcontext
def migrate_command():
    """Create or upgrade the database schema."""
    store.migrate(current_store())
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
    store.migrate(current_store())
    try:
        wrapper = progress_wrapper("Loading statements")
        report = sitefile.load(current_store(), spec, progress=wrapper)
    except sitefile.SiteFileError as error:  # a body that cannot be rendered in time
        raise click.ClickException(str(error)) from None
    current_store().changed()
    click.echo(f"Loaded {source}: {report.summary()}")


@click.command("snapshot")
@click.option("--at", "at_text", help="A UTC instant, e.g. 2020-01-26T17:58:00Z (default: now).")
@click.option("--json", "as_json", is_flag=True, help="Print the same JSON as /api/v1/snapshot.")
@click.option("--lang", "locale", help="The language to show it in (default: the site's).")
@with_appcontext
def snapshot_command(at_text, as_json, locale):
    """Print what the dashboard shows at an instant."""
    try:
        at = timecalc.parse_instant(at_text) if at_text else timecalc.utcnow()
    except timecalc.TimeError as error:
        raise click.BadParameter(str(error), param_hint="--at") from None
    try:
        if locale is not None and locale not in locales():
            message = f"must be one of {', '.join(locales())}, not {locale!r}"
            raise click.BadParameter(message, param_hint="--lang")
        shot = live_pages().snapshot(at, locale)
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
    for counter in shot.counters:
        lines.append(counter.text)
        lines += [f"  {mark.today_text}" for mark in counter.milestones_today]
    if shot.featured:
        lines.append(f"Featured: {shot.featured.item.title}")
    lines += [f"{s.date_text} - {s.item.title}" for s in shot.latest]
    return "\n".join(lines)


def _safe_url() -> str:
    return make_url(current_app.config["DATABASE_URL"]).render_as_string(hide_password=True)


@click.command("export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@with_appcontext
def export_command(path: Path):
    """Write the site (settings, clocks, counters, statements) as a site file."""
    try:
        with current_store().session() as db:

            def wrap(rows: Iterable):
                rows = list(rows)
                with progress(rows, "Exporting statements") as bar:
                    yield from bar

            document = sitefile.site_document(db, wrap)
    except store.NotInitialised as error:
        raise click.ClickException(str(error)) from None
    sitefile.write_atomically(path, sitefile.dumps(document))
    click.echo(f"Exported {len(document.get('statements', []))} statements to {path}")


@click.command("fetch-feeds")
@with_appcontext
def fetch_feeds_command():
    """Poll every feed once, now, whatever its interval."""
    app = current_app._get_current_object()
    store.migrate(current_store())
    reports = poll_feeds(app, only_due=False)
    for report in reports:
        click.echo(report.line())
    if not reports:
        click.echo("No feeds: add them at /admin/feeds.")


COMMANDS = [
    migrate_command,
    load_command,
    snapshot_command,
    export_command,
    fetch_feeds_command,
]
