"""Bearer tokens for the write API. A token is shown once, when made; the store keeps only its
SHA-256 (tokens are 256 random bits, so a fast hash is enough and lookups stay indexed)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

import sqlalchemy as sa

from dashboard.content import audit, models, store
from dashboard.core import timecalc

PREFIX = "dsh_"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$")


class TokenExists(ValueError):
    pass


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create(the_store: store.Store, name: str) -> str:
    token = PREFIX + secrets.token_urlsafe(32)
    with the_store.session() as db, db.begin():
        if db.scalar(sa.select(models.ApiToken.id).where(models.ApiToken.name == name)):
            raise TokenExists(f"a token named {name!r} exists; revoke it first")
        db.add(models.ApiToken(name=name, token_hash=digest(token)))
        audit.record(db, "token.create", name)  # its name only: the token is never kept
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
