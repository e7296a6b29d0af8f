"""Bearer tokens for the write API. A token is shown once, when made; the store keeps only its
SHA-256 (tokens are 256 random bits, so a fast hash is enough and lookups stay indexed)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext

from dashboard import models, store, timecalc

PREFIX = "dsh_"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$")


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create(the_store: store.Store, name: str) -> str:
    token = PREFIX + secrets.token_urlsafe(32)
    with the_store.session() as db, db.begin():
        if db.scalar(sa.select(models.ApiToken.id).where(models.ApiToken.name == name)):
            raise click.ClickException(f"a token named {name!r} exists; revoke it first")
        db.add(models.ApiToken(name=name, token_hash=digest(token)))
    return token


def verify(the_store: store.Store, token: str) -> str | None:
    """The token's name if it is valid (and its last use noted), else None."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    wanted = digest(token)
    with the_store.session() as db, db.begin():
        row = db.scalars(sa.select(models.ApiToken).where(models.ApiToken.token_hash == wanted))
        row = row.first()
        if row is None or not hmac.compare_digest(row.token_hash, wanted):
            return None
        row.last_used_at = timecalc.utcnow()
        return row.name


def _store() -> store.Store:
    return current_app.extensions["dashboard.store"]


@click.command("create-token")
@click.argument("name")
@with_appcontext
def create_token_command(name):
    """Make a bearer token for the write API; it is printed once and never again."""
    if not NAME.match(name):
        raise click.BadParameter(
            "use letters, digits, spaces, dots, hyphens, underscores (up to 100)", param_hint="NAME"
        )
    store.migrate(_store())
    token = create(_store(), name)
    click.echo(token)
    click.echo(
        f"Token {name!r} created. Copy it now: only its hash is stored, it cannot be shown again.",
        err=True,
    )


@click.command("list-tokens")
@with_appcontext
def list_tokens_command():
    """List the write API's tokens (names and dates, never the tokens)."""
    with _store().session() as db:
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
    with _store().session() as db, db.begin():
        deleted = db.execute(sa.delete(models.ApiToken).where(models.ApiToken.name == name))
    if deleted.rowcount == 0:
        raise click.ClickException(f"no token named {name!r}")
    click.echo(f"Revoked {name!r}.")


def init_app(app: Flask) -> None:
    for command in (create_token_command, list_tokens_command, revoke_token_command):
        app.cli.add_command(command)
