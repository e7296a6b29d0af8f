"""Every edit of a statement keeps the version it replaced, in the edit's own transaction:
the admin, the write API and the site file all save through `kept`. An edit that changes
nothing keeps nothing. Restoring a version is an edit too."""

from __future__ import annotations

import contextlib
import difflib
import html
from collections.abc import Iterator

import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.orm import Session

from dashboard.content import models
from dashboard.content.schema import STATEMENT
from dashboard.core.timecalc import utcnow


def fields_of(row: models.Statement) -> dict:
    """The statement as the schema's JSON: what a revision keeps and a restore gives back."""
    return STATEMENT.to_json(row, writer=True)


@contextlib.contextmanager
def kept(db: Session, row: models.Statement, by: str, correction: bool = False) -> Iterator[None]:
    """Change `row` inside: if its fields moved, the former ones are kept as a revision, and
    a correction stamps `corrected_at`. A new row (no id yet) has no former version."""
    before = fields_of(row) if row.id is not None else None
    yield
    if before is None or fields_of(row) == before:
        return
    now = utcnow()
    number = db.scalar(
        sa.select(sa.func.max(models.StatementRevision.number)).where(
            models.StatementRevision.statement_id == row.id
        )
    )
    db.add(
        models.StatementRevision(
            statement_id=row.id,
            number=(number or 0) + 1,
            fields=before,
            saved_at=now,
            saved_by=by,
            correction=correction,
        )
    )
    if correction:
        row.corrected_at = now


def history(db: Session, statement_id: int) -> list[models.StatementRevision]:
    """Its former versions, newest first."""
    query = sa.select(models.StatementRevision).where(
        models.StatementRevision.statement_id == statement_id
    )
    return list(db.scalars(query.order_by(models.StatementRevision.number.desc())))


def revision(db: Session, statement_id: int, number: int) -> models.StatementRevision | None:
    query = sa.select(models.StatementRevision).where(
        models.StatementRevision.statement_id == statement_id,
        models.StatementRevision.number == number,
    )
    return db.scalars(query).first()


def _lines(fields: dict) -> list[str]:
    """A version as text, one field after another, for a line diff."""
    lines = []
    for name in STATEMENT.names:
        value = fields.get(name)
        if isinstance(value, list):
            value = ", ".join(map(str, value))
        text = "" if value is None else str(value)
        lines.append(f"{name}:")
        lines.extend(f"  {line}" for line in text.split("\n"))
    return lines


def diff(old: dict, new: dict, old_name: str, new_name: str) -> Markup:
    """A unified diff of two versions as escaped HTML: removed lines in <del>, added in <ins>."""
    out = []
    for line in difflib.unified_diff(
        _lines(old), _lines(new), old_name, new_name, n=2, lineterm=""
    ):
        text = html.escape(line)
        if line.startswith(("---", "+++")):
            out.append(f'<span class="diff-file">{text}</span>')
        elif line.startswith("-"):
            out.append(f"<del>{text}</del>")
        elif line.startswith("+"):
            out.append(f"<ins>{text}</ins>")
        elif line.startswith("@@"):
            out.append(f'<span class="diff-hunk">{text}</span>')
        else:
            out.append(f"<span>{text}</span>")
    return Markup("\n".join(out))
