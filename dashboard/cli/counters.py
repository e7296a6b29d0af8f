"""reset-counter: end a counter's current run on a date and start a new one, as the admin's
reset form and the API do (one function, content/resets.py)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from dashboard.cache.live import live_pages
from dashboard.content import resets, store
from dashboard.content.schema import FieldErrors
from dashboard.core import timecalc

OPTIONS = {"on": "--on", "reason": "--reason", "statement": "--statement"}


@click.command("reset-counter")
@click.argument("slug")
@click.option("--on", "on", required=True, help="The date the current run ends, YYYY-MM-DD.")
@click.option("--reason", required=True, help="Why the counter starts again.")
@click.option("--statement", default=None, help="The slug of the statement that explains it.")
@with_appcontext
def reset_counter_command(slug, on, reason, statement):
    """Reset a counter: its run ends on --on, and a new one starts that day."""
    try:
        run = resets.reset(slug, on, reason, statement)
    except resets.UnknownCounter as error:
        raise click.BadParameter(str(error), param_hint="SLUG") from None
    except FieldErrors as error:
        lines = [
            f"{OPTIONS.get(key, key)}: {message}"
            for key, messages in error.fields.items()
            for message in messages
        ]
        raise click.ClickException("nothing was changed:\n  " + "\n  ".join(lines)) from None
    except store.NotInitialised as error:
        raise click.ClickException(str(error)) from None
    shot = live_pages().snapshot(timecalc.utcnow())
    reading = shot.counter(slug)
    click.echo(
        f"Reset {slug}: the run from {run.start} ended on {run.end} after "
        f"{timecalc.days_between(run.start, run.end)} days. Now: {reading.text} "
        f"({reading.record.text})"
    )


COMMANDS = [reset_counter_command]
