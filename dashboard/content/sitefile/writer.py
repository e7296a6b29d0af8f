"""Site files out: the stored site as a site file that `dashboard load` reads back
unchanged (drafts included, marked `draft = true`). Feeds are configuration, not content, and
are not exported; statements taken from feeds are, as ordinary statements. Webhooks are, with
their secrets, so that receivers still verify what a site loaded from the export sends: keep
an export as you keep the secrets."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path

import click
import sqlalchemy as sa
import tomli_w

from dashboard import config
from dashboard.content import models, resets, store
from dashboard.content.schema import CLOCK, COUNTER, SITE, STATEMENT, TOPIC, WEBHOOK
from dashboard.content.schema import run as run_schema
from dashboard.webhooks.models import Webhook

HEADER = "# Exported by `dashboard export`; `dashboard load` reads it back.\n\n"


def progress(items: list, label: str, stream=None) -> contextlib.AbstractContextManager:
    """A progress bar over the items when there are many and the output is a terminal;
    otherwise the items as they are."""
    stream = stream or sys.stdout
    if len(items) < config.EXPORT_PROGRESS_FROM or not stream.isatty():
        return contextlib.nullcontext(items)
    return click.progressbar(items, label=label, file=stream, show_pos=True)


def site_document(db, wrap=lambda rows: rows) -> dict:
    site = db.get(models.Site, 1)
    if site is None:
        raise store.NotInitialised("no site is loaded: nothing to export")
    document: dict = {"site": SITE.export(site)}
    clocks = db.scalars(sa.select(models.Clock).order_by(models.Clock.position, models.Clock.id))
    document["clocks"] = [CLOCK.export(c) for c in clocks]
    counters = db.scalars(
        sa.select(models.Counter).order_by(models.Counter.position, models.Counter.id)
    )
    document["counters"] = [_counter(db, c) for c in counters]
    document["topics"] = [TOPIC.export(t) for t in store.topics(db)]  # before the statements
    statements = db.scalars(
        sa.select(models.Statement).order_by(models.Statement.published, models.Statement.id)
    ).all()
    # `published` is aware UTC: written with its offset.
    document["statements"] = [STATEMENT.export(s) for s in wrap(statements)]
    hooks = db.scalars(sa.select(Webhook).order_by(Webhook.id))
    document["webhooks"] = [WEBHOOK.export(hook) for hook in hooks]
    return {key: value for key, value in document.items() if value != []}


def _counter(db, row: models.Counter) -> dict:
    """A counter's table, with its earlier runs as [[counters.runs]] (oldest first)."""
    table = COUNTER.export(row)
    runs = [run_schema.exported(run) for run in resets.runs_of(db, row.id)]
    return {**table, "runs": runs} if runs else table


def _has_carriage_return(value) -> bool:
    if isinstance(value, str):
        return "\r" in value
    if isinstance(value, dict):
        return any(_has_carriage_return(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_carriage_return(v) for v in value)
    return False


def dumps(document: dict) -> str:
    # Multi-line strings read best, but a TOML reader turns their CR LF into LF: a value with
    # a carriage return is written with escapes instead, so that it reads back the same.
    multiline = not _has_carriage_return(document)
    return HEADER + tomli_w.dumps(document, multiline_strings=multiline)


def write_atomically(path: Path, text: str) -> None:
    """The file appears whole or not at all."""
    path = path.resolve()
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def progress_wrapper(label: str):
    """For sitefile.load(progress=…): the statements, under a progress bar on a terminal."""

    def wrap(items: list):
        with progress(items, label) as bar:
            yield from bar

    return wrap
