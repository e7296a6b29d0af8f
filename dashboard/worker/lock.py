"""The one-scheduler lock: a PostgreSQL advisory lock, or a file lock beside a SQLite file.

Both are released by the operating system or the server when the holder dies, even by kill -9,
so a standby takes over at its next try.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import sqlalchemy as sa

ADVISORY_KEY = 0x64617368  # "dash"


class SchedulerLock:
    def acquire(self) -> bool:
        raise NotImplementedError

    def still_held(self) -> bool:
        return True

    def release(self) -> None:
        raise NotImplementedError


class FileLock(SchedulerLock):
    def __init__(self, path: Path):
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


class AdvisoryLock(SchedulerLock):
    def __init__(self, engine: sa.Engine):
        self.engine = engine
        self._connection: sa.Connection | None = None

    def acquire(self) -> bool:
        connection = self.engine.connect()
        got = connection.scalar(sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY})
        connection.commit()
        if not got:
            connection.close()
            return False
        self._connection = connection
        return True

    def still_held(self) -> bool:
        if self._connection is None:
            return False
        try:
            held = self._connection.scalar(
                sa.text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                    "AND objid = :key AND pid = pg_backend_pid() AND granted"
                ),
                {"key": ADVISORY_KEY},
            )
            self._connection.commit()
        except sa.exc.SQLAlchemyError:
            return False
        return bool(held)

    def release(self) -> None:
        if self._connection is None:
            return
        try:
            # The pool would keep the session (and the lock) alive: unlock explicitly.
            self._connection.scalar(
                sa.text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY}
            )
            self._connection.commit()
            self._connection.close()
        except sa.exc.SQLAlchemyError:
            self._connection.invalidate()  # a dead session holds no lock
        finally:
            self._connection = None


def lock_for(engine: sa.Engine, instance_path: str) -> SchedulerLock:
    if engine.dialect.name == "postgresql":
        return AdvisoryLock(engine)
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if database and database != ":memory:":
        return FileLock(Path(database).with_suffix(".scheduler.lock"))
    return FileLock(Path(instance_path) / "scheduler.lock")
