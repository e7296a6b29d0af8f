"""Databases for the tests: an empty one of its own per test (SQLite, or PostgreSQL when
DATABASE_URL names a server), and copies of template databases built once per run."""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import shutil
import time
import uuid
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from jinja2 import BytecodeCache

from dashboard import create_app
from dashboard.content import sitefile, store
from dashboard.content.store import EXTENSION as STORE


def postgres_url() -> sa.URL | None:
    raw = os.environ.get("DATABASE_URL", "")
    if not raw.startswith("postgresql"):
        return None
    return sa.make_url(raw)


@contextlib.contextmanager
def fresh_database(folder: Path, template: str | None = None):
    """A database of its own, empty or a copy of a template database: a SQLite file in
    `folder`, or one on the PostgreSQL server that DATABASE_URL names, dropped afterwards."""
    server = postgres_url()
    if server is None:
        path = folder / "test.sqlite3"
        if template is not None:
            shutil.copyfile(sa.make_url(template).database, path)
        yield f"sqlite:///{path}"
        return
    name = f"dashboard_test_{uuid.uuid4().hex[:12]}"
    copied = f' TEMPLATE "{sa.make_url(template).database}"' if template else ""
    admin = admin_engine(server)
    with admin.connect() as connection:
        copied += copy_strategy(connection)
        connection.execute(sa.text(f'CREATE DATABASE "{name}"{copied}'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def copy_strategy(connection: sa.Connection) -> str:
    """How PostgreSQL copies the template. Version 15 copies it through the WAL by default,
    0.5 s a test here; a plain file copy takes a checkpoint, which is cheap only on a server
    that does not fsync, as the throw-away one of .ci/postgres does not: 0.1 s."""
    if connection.dialect.server_version_info < (15,):
        return ""
    fsync = connection.execute(sa.text("SHOW fsync")).scalar_one()
    return " STRATEGY FILE_COPY" if fsync == "off" else ""


@functools.cache
def admin_engine(server: sa.URL) -> sa.Engine:
    """One per server for the whole run: a connection of its own per test cost as much as the
    copy itself. Its connections are released by each caller; the process exit closes them."""
    return sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")


class _MemoryBytecodeCache(BytecodeCache):
    """Compiled templates shared by every app of the run: each test makes an app of its own,
    and compiling every template again for each one costs the fast tier seconds."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_BYTECODE = _MemoryBytecodeCache()
TEST_PASSWORD_HASH_METHOD = "scrypt:1024:8:1"


def make_app(database_url: str, instance: Path) -> Flask:
    made = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(instance),
            "SECRET_KEY": "test",
            # scrypt still, at a cost a test can afford many times over: the full cost is
            # 0.17 s a hash here, and sign-ins alone cost the fast tier 12 s at it.
            "PASSWORD_HASH_METHOD": TEST_PASSWORD_HASH_METHOD,
        }
    )
    made.jinja_env.bytecode_cache = TEMPLATE_BYTECODE
    return made


def copy_of(template_url: str, database_url: str) -> None:
    """Make the (empty, unused) test database a copy of the template."""
    template, target = sa.make_url(template_url), sa.make_url(database_url)
    if target.get_backend_name() == "sqlite":
        shutil.copyfile(template.database, target.database)
        return
    admin = admin_engine(target)
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE "{target.database}"'))
        connection.execute(
            sa.text(f'CREATE DATABASE "{target.database}" TEMPLATE "{template.database}"')
        )


IN_USE_GRACE_SECONDS = 10  # for a thread the test started to finish with its connection


@contextlib.contextmanager
def app_on(database_url: str, instance: Path):
    made = make_app(database_url, instance)
    yield made
    engine = made.extensions[STORE].engine
    try:
        release_connections(engine)
    finally:  # a connection left out is reported, and the others still closed
        engine.dispose()


def release_connections(engine: sa.Engine) -> None:
    """Before dispose(): every connection back in the pool, or an error naming how many are
    not. dispose() closes only those in the pool. One still out comes back later to the old
    pool, and psycopg warns about it during some later test, when the collector finds it."""
    if not engine.pool.checkedout():
        return
    gc.collect()  # one held by garbage (a session in a dropped traceback's frame) comes back
    deadline = time.monotonic() + IN_USE_GRACE_SECONDS
    while engine.pool.checkedout() and time.monotonic() < deadline:
        time.sleep(0.05)  # a thread of the test's (a scheduler's job) still finishing
    in_use = engine.pool.checkedout()
    assert not in_use, f"{in_use} database connection(s) still in use after the test"


@contextlib.contextmanager
def app_from(template_url: str, database_url: str, instance: Path):
    """An app on `database_url`, an empty database of its own, made a copy of the template."""
    copy_of(template_url, database_url)
    with app_on(database_url, instance) as made:
        yield made


def build_templates(folder: Path) -> tuple[dict[str, str], contextlib.ExitStack]:
    """Two databases, the schema alone and the schema with the demo; each test's database
    starts as a copy of one (a file copy on SQLite, CREATE DATABASE … TEMPLATE on PostgreSQL),
    which saves the migrations and the load in every test."""
    cleanup = contextlib.ExitStack()
    server = postgres_url()
    if server is None:
        urls = {kind: f"sqlite:///{folder / kind}.sqlite3" for kind in ("schema", "demo")}
    else:
        run = uuid.uuid4().hex[:8]
        names = {kind: f"dashboard_template_{run}_{kind}" for kind in ("schema", "demo")}
        admin = admin_engine(server)
        with admin.connect() as connection:
            for name in names.values():
                connection.execute(sa.text(f'CREATE DATABASE "{name}"'))

        def drop() -> None:
            with admin.connect() as connection:
                for name in names.values():
                    connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()

        cleanup.callback(drop)
        urls = {k: server.set(database=n).render_as_string(False) for k, n in names.items()}
    for kind, url in urls.items():
        made = make_app(url, folder / kind)
        store.migrate(made.extensions[STORE])
        if kind == "demo":
            sitefile.load(made.extensions[STORE], sitefile.read_file(sitefile.DEMO_PATH))
        made.extensions[STORE].engine.dispose()  # a template must have no connections
    return urls, cleanup
