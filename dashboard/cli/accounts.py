"""Accounts: admins who sign in at /admin, and bearer tokens for the write API."""

from __future__ import annotations

import sys

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from dashboard.content import audit, models, store
from dashboard.content.store import current_store
from dashboard.core import timecalc
from dashboard.web.auth import accounts, tokens


@click.command("create-admin")
@click.argument("email")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input (one line)."
)
@click.option("--reset", is_flag=True, help="Change the password of an existing admin.")
@with_appcontext
def create_admin_command(email, password_stdin, reset):
    """Create an admin who can sign in at /admin (asks for the password twice)."""
    if "@" not in email or len(email) > 254:
        raise click.BadParameter("give an e-mail address", param_hint="EMAIL")
    min_length = current_app.config["ADMIN_PASSWORD_MIN_LENGTH"]
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(
            f"Password (at least {min_length} characters)",
            hide_input=True,
            confirmation_prompt=True,
        )
    try:
        accounts.check_password_rules(password, min_length)
    except accounts.PasswordError as error:
        raise click.ClickException(str(error)) from None
    store.migrate(current_store())
    try:
        created = accounts.create_or_reset(current_store(), email, password, reset)
    except accounts.AccountExists as error:
        raise click.ClickException(str(error)) from None
    verb = "Created admin" if created else "Changed the password of"
    click.echo(f"{verb} {accounts.normalise_email(email)}; sign in at /admin/login")


@click.command("remove-admin")
@click.argument("email")
@with_appcontext
def remove_admin_command(email):
    """Remove an admin: their sessions end at once, in every browser."""
    if not accounts.remove(current_store(), email):
        raise click.ClickException(f"no admin {accounts.normalise_email(email)}")
    click.echo(f"Removed admin {accounts.normalise_email(email)}.")


@click.command("create-token")
@click.argument("name")
@with_appcontext
def create_token_command(name):
    """Make a bearer token for the write API; it is printed once and never again."""
    if not tokens.NAME.fullmatch(name):  # `$` alone lets a final newline in
        raise click.BadParameter(
            "use letters, digits, spaces, dots, hyphens, underscores (up to 100)", param_hint="NAME"
        )
    store.migrate(current_store())
    try:
        token = tokens.create(current_store(), name)
    except tokens.TokenExists as error:
        raise click.ClickException(str(error)) from None
    click.echo(token)
    click.echo(
        f"Token {name!r} created. Copy it now: only its hash is stored, it cannot be shown again.",
        err=True,
    )


@click.command("list-tokens")
@with_appcontext
def list_tokens_command():
    """List the write API's tokens (names and dates, never the tokens)."""
    with current_store().session() as db:
        rows = db.scalars(sa.select(models.ApiToken).order_by(models.ApiToken.name)).all()
    if not rows:
        click.echo("No tokens.")
    for row in rows:
        used = timecalc.format_instant(row.last_used_at) if row.last_used_at else "never used"
        click.echo(f"{row.name}\tcreated {timecalc.format_instant(row.created_at)}\t{used}")


@click.command("revoke-token")
@click.argument("name")
@with_appcontext
def revoke_token_command(name):
    """Revoke a token at once: requests carrying it get 401."""
    with current_store().session() as db, db.begin():
        deleted = db.execute(sa.delete(models.ApiToken).where(models.ApiToken.name == name))
        if deleted.rowcount:
            audit.record(db, "token.revoke", name)
    if deleted.rowcount == 0:
        raise click.ClickException(f"no token named {name!r}")
    click.echo(f"Revoked {name!r}.")


COMMANDS = [
    create_admin_command,
    remove_admin_command,
    create_token_command,
    list_tokens_command,
    revoke_token_command,
]
