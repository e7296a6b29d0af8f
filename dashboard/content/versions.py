"""A statement's versions: an original and its translations (`translation_of`, the original's
slug), one a language. Which of them a reader in a language sees, and the checks that keep the
links one level deep."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from dashboard.content import models
from dashboard.core.snapshot import StatementItem


def problems(session: Session, slugs: Iterable[str] | None = None) -> dict[str, list[str]]:
    """What is wrong with the links among the stored statements (those of the groups `slugs`
    belong to, or all): a translation of a missing statement, of itself, of a translation, or
    two versions in one language. By the slug of the statement at fault."""
    statement = models.Statement
    versions = sa.select(statement.slug, statement.language, statement.translation_of).where(
        statement.translation_of != ""
    )
    if slugs is not None:
        wanted = sorted(set(slugs))
        groups = set(wanted) | set(
            session.scalars(
                sa.select(statement.translation_of).where(
                    statement.slug.in_(wanted), statement.translation_of != ""
                )
            )
        )
        versions = versions.where(
            sa.or_(statement.translation_of.in_(groups), statement.slug.in_(wanted))
        )
    rows = session.execute(versions).all()
    named = sorted({original for _, _, original in rows})
    originals = {}
    for start in range(0, len(named), 500):  # well under every database's bound parameters
        part = named[start : start + 500]
        query = sa.select(statement.slug, statement.language, statement.translation_of)
        originals.update(
            (r.slug, r) for r in session.execute(query.where(statement.slug.in_(part)))
        )
    found: dict[str, list[str]] = {}
    languages: dict[str, dict[str, str]] = {}
    for slug, language, original in rows:
        if original == slug:
            found.setdefault(slug, []).append("a statement cannot be a translation of itself")
            continue
        source = originals.get(original)
        if source is None:
            message = f"'translation_of': there is no statement {original!r}"
            found.setdefault(slug, []).append(message)
            continue
        if source.translation_of:
            message = (
                f"'translation_of': {original!r} is itself a translation (of "
                f"{source.translation_of!r}); name the original"
            )
            found.setdefault(slug, []).append(message)
            continue
        seen = languages.setdefault(original, {source.language: original})
        if language in seen:
            message = f"{seen[language]!r} is already the version of {original!r} in {language!r}"
            found.setdefault(slug, []).append(message)
        else:
            seen[language] = slug
    return found


def follow_rename(session: Session, old: str, new: str) -> None:
    """An original's new slug, in its translations' links."""
    if old != new:
        session.execute(
            sa.update(models.Statement)
            .where(models.Statement.translation_of == old)
            .values(translation_of=new)
        )


def forget(session: Session, slug: str) -> None:
    """A deleted original's translations become originals themselves."""
    session.execute(
        sa.update(models.Statement)
        .where(models.Statement.translation_of == slug)
        .values(translation_of="")
    )


def shown_in(locale: str, visible) -> sa.ColumnElement[bool]:
    """Of each statement's versions that `visible` (a condition on a Statement alias) admits,
    the one a reader in `locale` sees: the version in that language, else the original, else
    (the original unseen) the oldest translation. Each original appears once in a list."""
    row = models.Statement
    other = aliased(models.Statement)
    group = sa.func.coalesce(sa.func.nullif(row.translation_of, ""), row.slug)
    in_group = sa.or_(other.slug == group, other.translation_of == group)
    has_local = sa.exists().where(in_group, visible(other), other.language == locale)
    original_seen = sa.exists().where(other.slug == row.translation_of, visible(other))
    earlier = sa.exists().where(
        other.translation_of == row.translation_of, visible(other), other.id < row.id
    )
    return sa.or_(
        row.language == locale,
        sa.and_(
            ~has_local,
            sa.or_(row.translation_of == "", sa.and_(~original_seen, ~earlier)),
        ),
    )


def of(session: Session, item: StatementItem, visible) -> list[StatementItem]:
    """Every version of `item`'s statement that readers see (itself included), original
    first; `visible` is the condition on Statement."""
    from dashboard.content.schema import statement as statement_schema

    row = models.Statement
    query = (
        sa.select(row)
        .where(sa.or_(row.slug == item.original, row.translation_of == item.original), visible)
        .order_by((row.translation_of != "").asc(), row.language)
    )
    return [statement_schema.item(r) for r in session.scalars(query)]


def of_rows(session: Session, rows: Iterable[models.Statement], condition) -> set:
    """The stored versions of these rows' statements (by `condition`, e.g. not a draft)."""
    row = models.Statement
    groups = sorted({r.translation_of or r.slug for r in rows})
    found: set = set()
    for start in range(0, len(groups), 500):
        part = groups[start : start + 500]
        query = sa.select(row).where(
            sa.or_(row.slug.in_(part), row.translation_of.in_(part)), condition
        )
        found.update(session.scalars(query))
    return found
