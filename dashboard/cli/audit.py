"""`dashboard audit`: the audit log, newest first."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from dashboard.content import audit
from dashboard.content.store import current_store
from dashboard.core import timecalc


@click.command("audit")
@click.option("--actor", default="", help="Only this actor's: an email, 'token NAME', …")
@click.option("--action", default="", help="Only this action, e.g. statement.edit or signin.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 100_000))
@with_appcontext
def audit_command(actor, action, limit):
    """Print the audit log, newest first: when, who, what, on what, and the details."""
    with current_store().session() as db:
        rows = audit.entries(db, actor=actor, action=action, limit=limit)
    if not rows:
        click.echo("No entries.")
    for row in rows:
        details = json.dumps(row.details, ensure_ascii=False, sort_keys=True)
        at = timecalc.format_instant(row.at)
        click.echo(f"{at}  {row.actor}  {row.action}  {row.subject}  {details}")


COMMANDS = [audit_command]
