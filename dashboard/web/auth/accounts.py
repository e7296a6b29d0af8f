"""Admin accounts: scrypt password hashes, and a sign-in throttle kept in the database so that
every web process counts the same failures."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import math

import sqlalchemy as sa
from flask import current_app, request
from werkzeug.security import check_password_hash, generate_password_hash

from dashboard.content import audit, models, store
from dashboard.core import timecalc

MAX_PASSWORD_LENGTH = 1024


@functools.cache
def _dummy_hash(method: str) -> str:
    """Checked against when the e-mail is unknown, so that a wrong address costs the same time
    as a wrong password."""
    return generate_password_hash("not a password, only a timing equaliser", method)


class PasswordError(ValueError):
    pass


class AccountExists(ValueError):
    pass


class Throttled(Exception):
    def __init__(self, minutes: int):
        self.minutes = minutes
        super().__init__(
            "Too many wrong passwords for this account or from this address. "
            f"Sign-in is refused for now; try again in {minutes} "
            f"minute{'s' if minutes != 1 else ''}."
        )


@dataclasses.dataclass(frozen=True)
class Admin:
    id: int
    email: str
    fingerprint: str  # of the password hash: kept in the session


# -- passwords and accounts ----------------------------------------------------------------------
def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_password_rules(password: str, min_length: int) -> None:
    if len(password) < min_length:
        raise PasswordError(f"the password must be at least {min_length} characters long")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordError(f"the password must be at most {MAX_PASSWORD_LENGTH} characters long")


def hash_password(password: str, method: str | None = None) -> str:
    """A hash by the app's PASSWORD_HASH_METHOD (werkzeug's scrypt, at its own cost)."""
    return generate_password_hash(password, method or current_app.config["PASSWORD_HASH_METHOD"])


def fingerprint(user: models.AdminUser) -> str:
    """Kept in the session, and checked against the account on every request: a changed
    password, or a moved-on session epoch (signing out), ends every session signed before."""
    signed = f"{user.password_hash}\n{user.session_epoch or 0}"
    return hashlib.sha256(signed.encode()).hexdigest()[:16]


def end_sessions(the_store: store.Store, user_id: int) -> None:
    """End every session of the account, in every browser: the cookies stay valid as
    signatures, but no longer match the account."""
    with the_store.session() as db, db.begin():
        db.execute(
            sa.update(models.AdminUser)
            .where(models.AdminUser.id == user_id)
            .values(session_epoch=models.AdminUser.session_epoch + 1)
        )


def remove(the_store: store.Store, email: str) -> bool:
    """Remove the account (its sessions end with it). Returns whether there was one."""
    with the_store.session() as db, db.begin():
        deleted = db.execute(
            sa.delete(models.AdminUser).where(models.AdminUser.email == normalise_email(email))
        )
    return deleted.rowcount > 0


def create_or_reset(the_store: store.Store, email: str, password: str, reset: bool) -> bool:
    """Create the account, or (with reset) change its password. Returns True when created."""
    email = normalise_email(email)
    with the_store.session() as db, db.begin():
        user = db.scalars(
            sa.select(models.AdminUser).where(models.AdminUser.email == email)
        ).first()
        if user is None:
            db.add(models.AdminUser(email=email, password_hash=hash_password(password)))
            return True
        if not reset:
            raise AccountExists(
                f"an admin {email} already exists; use --reset to change the password"
            )
        user.password_hash = hash_password(password)
        user.session_epoch = (user.session_epoch or 0) + 1  # the old password's sessions end
        return False


# -- the throttle ---------------------------------------------------------------------------------
def client_address() -> str:
    return (request.remote_addr or "unknown")[:64]


def _window_start(now):
    return timecalc.shift(now, -current_app.config["LOGIN_WINDOW_SECONDS"])


def check_throttle(db, email: str, address: str, now) -> None:
    """Refuse when the account, or the address, has had too many failures in the window."""
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    since = _window_start(now)
    db.execute(sa.delete(models.LoginFailure).where(models.LoginFailure.at <= since))
    for column, value in (
        (models.LoginFailure.email, email),
        (models.LoginFailure.address, address),
    ):
        recent = db.scalars(
            sa.select(models.LoginFailure.at)
            .where(column == value, models.LoginFailure.at > since)
            .order_by(models.LoginFailure.at.desc())
            .limit(limit)
        ).all()
        if len(recent) >= limit:
            # Open again when the oldest of the last `limit` failures leaves the window.
            reopens = timecalc.shift(recent[-1], current_app.config["LOGIN_WINDOW_SECONDS"])
            raise Throttled(max(1, math.ceil(timecalc.seconds_until(reopens, now) / 60)))


def authenticate(the_store: store.Store, email: str, password: str) -> Admin | None:
    """The admin for these credentials, or None (and a failure recorded). Raises Throttled
    without looking at the password while the account or the address is locked."""
    email = normalise_email(email)[:254]
    address = client_address()
    now = timecalc.utcnow()
    with the_store.session() as db, db.begin():
        check_throttle(db, email, address, now)
        user = db.scalars(
            sa.select(models.AdminUser).where(models.AdminUser.email == email)
        ).first()
        candidate = password[:MAX_PASSWORD_LENGTH]
        if user is None:
            check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), candidate)
            ok = False
        else:
            ok = check_password_hash(user.password_hash, candidate)
        if not ok:
            db.add(models.LoginFailure(email=email, address=address, at=now))
            # An address that is no account's is not kept: it may be a password typed there.
            who = email if user is not None else "unknown account"
            audit.record(db, "signin.failed", who, {"address": address}, actor=who, at=now)
            return None
        user.last_login_at = now
        audit.record(db, "signin", email, {"address": address}, actor=email, at=now)
        db.execute(
            sa.delete(models.LoginFailure).where(
                models.LoginFailure.email == email, models.LoginFailure.address == address
            )
        )
        return Admin(user.id, user.email, fingerprint(user))
