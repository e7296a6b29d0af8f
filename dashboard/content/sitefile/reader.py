"""Site files (TOML): parse and check everything first, then upsert in one transaction."""

from __future__ import annotations

import contextlib
import dataclasses
import tomllib
from collections.abc import Callable, Iterable
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dashboard import config
from dashboard.content import (
    audit,
    editing,
    models,
    rendering,
    resets,
    revisions,
    store,
    versions,
)
from dashboard.content.schema import (
    CLOCK,
    COUNTER,
    SITE,
    STATEMENT,
    TOPIC,
    WEBHOOK,
    Context,
    Problems,
)
from dashboard.content.schema import run as run_schema
from dashboard.content.schema import statement as statement_schema
from dashboard.content.sitefile import guard
from dashboard.core.timecalc import utcnow
from dashboard.webhooks import announcements
from dashboard.webhooks.models import Webhook

DEMO_PATH = Path(__file__).parent.parent / "demo" / "site.toml"
# [[clocks]], …, in the order they are read: statements name the topics read before them.
ARRAYS = {
    "clocks": CLOCK, "counters": COUNTER, "topics": TOPIC, "statements": STATEMENT,
    "webhooks": WEBHOOK,
}  # fmt: skip


class SiteFileError(ValueError):
    """A site file that cannot be loaded; nothing was written."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        listed = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{source}: cannot load, nothing was changed:\n{listed}")


@dataclasses.dataclass
class SiteSpec:
    site: dict  # each as its schema read it: the values of its model's columns
    clocks: list[dict]
    counters: list[dict]
    topics: list[dict]
    statements: list[dict]
    webhooks: list[dict] = dataclasses.field(default_factory=list)  # upserted by url
    source: str = ""  # the file, as errors name it
    # A slug derived from a title in another script, and the one versions before
    # transliteration derived from it: a reload finds the row stored under the older one.
    former_slugs: dict[str, str] = dataclasses.field(default_factory=dict)
    # Each counter's earlier runs ([[counters.runs]]), by slug, as columns, oldest first.
    runs: dict[str, list[dict]] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class LoadReport:
    created: dict[str, int]
    changed: dict[str, int]
    unchanged: dict[str, int]

    @property
    def any_change(self) -> bool:
        return any(self.created.values()) or any(self.changed.values())

    def _tallies(self) -> tuple[dict, ...]:
        return (self.created, self.changed, self.unchanged)

    def summary(self) -> str:
        parts = []
        kinds = ["site", "clocks", "counters", "topics", "statements"]
        if any(kind == "webhooks" for tally in self._tallies() for kind in tally):
            kinds.append("webhooks")
        for kind in kinds:
            parts.append(
                f"{kind}: {self.created.get(kind, 0)} new, {self.changed.get(kind, 0)} changed, "
                f"{self.unchanged.get(kind, 0)} unchanged"
            )
        return "; ".join(parts)


def parse(text: str, source: str) -> SiteSpec:
    """Check the whole file and collect every problem before anything touches the store."""
    try:
        guard.check_shape(text)  # first: some shapes would take tomllib all the memory there is
        data = tomllib.loads(text)
    except guard.TooComplex as error:
        raise SiteFileError(source, [f"cannot be read safely: {error}"]) from None
    except tomllib.TOMLDecodeError as error:
        # tomllib names the line and column, and rejects impossible dates like 2019-02-30.
        raise SiteFileError(source, [f"not valid TOML: {error}"]) from None
    except RecursionError:  # the guard bounds nesting well below this; in case it misses one
        raise SiteFileError(source, ["cannot be read safely: nested too deep"]) from None
    problems = Problems(text)
    problems.unknown_keys(data, {"site", *ARRAYS}, "top level")
    site = data.get("site")
    if not isinstance(site, dict):
        problems.add("top level", "missing the [site] table")
        site = {}
    site_values = SITE.read(problems, site, "[site]")
    context = Context(site_values["timezone"], site_values["locale"])
    tables: dict[str, list[dict]] = {}
    given: dict[str, list[dict]] = {}
    for name, entity in ARRAYS.items():
        if name == "statements":  # a statement may name the topics this file declares
            declared = [(t["slug"], t["name"]) for t in tables["topics"] if t["slug"]]
            context = dataclasses.replace(context, topics=tuple(declared))
        given[name] = [row for _, row in array(problems, data, name)]
        if name == "counters":  # their runs are tables of their own, read below
            declared_runs = [row.get("runs", []) for row in given[name]]
            given[name] = [{k: v for k, v in row.items() if k != "runs"} for row in given[name]]
        tables[name] = [
            entity.read(problems, row, f"{name}[{n}]", context)
            for n, row in enumerate(given[name], start=1)
        ]
    for name, entity in ARRAYS.items():
        duplicates(problems, tables[name], name, entity.key)
    runs = _runs(problems, declared_runs, tables["counters"], tables["statements"])
    if problems.problems:
        raise SiteFileError(source, problems.problems)
    former = _former_slugs(given["statements"], tables["statements"], context)
    return SiteSpec(site=site_values, **tables, source=source, former_slugs=former, runs=runs)


def _runs(problems: Problems, declared: list, counters: list[dict], statements: list[dict]):
    """[[counters.runs]]: each counter's earlier runs, checked one by one, then in order."""
    found: dict[str, list[dict]] = {}
    for number, (given, counter) in enumerate(zip(declared, counters, strict=True), start=1):
        where = f"counters[{number}] ({counter['slug']!r})"
        if not isinstance(given, list) or not all(isinstance(r, dict) for r in given):
            problems.add(where, "'runs' must be an array of tables ([[counters.runs]])", "runs")
            continue
        read = [
            run_schema.RUN.read(problems, run, f"{where}.runs[{n}]")
            for n, run in enumerate(given, start=1)
        ]
        if any(r["from"] is None or r["to"] is None for r in read):
            continue  # already said
        columns = [run_schema.as_columns(r) for r in read]
        for key, message in run_schema.order_problems(columns, counter["since"]):
            problems.add(f"{where}.runs", message, key=key)
        if counter["slug"]:
            found[counter["slug"]] = columns
    return found


def _former_slugs(given: list[dict], statements: list[dict], context: Context) -> dict:
    former = {}
    for row, values in zip(given, statements, strict=True):
        if str(row.get("slug") or "").strip():
            continue  # a slug the file gives is the slug
        old = statement_schema.derived_slug(context, values, statement_schema.legacy_slugify)
        if old != values["slug"]:
            former[values["slug"]] = old
    return former


def array(problems: Problems, data: dict, key: str):
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
        problems.add("top level", f"'{key}' must be an array of tables ([[{key}]])", f"{key}")
        return []
    return list(enumerate(value, start=1))


def duplicates(problems: Problems, rows: list[dict], kind: str, key: str) -> None:
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=1):
        value = row.get(key)
        if not value:
            continue
        if value in seen:
            problems.add(
                f"{kind}[{number}]",
                f"duplicate {key} {value!r} (first used by {kind}[{seen[value]}])",
                value,
            )
        else:
            seen[value] = number


def read_file(path: str | Path) -> SiteSpec:
    path = Path(path)
    limit = config.SITE_FILE_MAX_BYTES
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)  # never more, whatever the file (or device) holds
        if len(data) > limit:
            raise SiteFileError(
                str(path), [f"larger than {limit:,} bytes, the most a site file may hold"]
            )
        text = data.decode("utf-8")
    except FileNotFoundError:
        raise SiteFileError(str(path), ["no such file"]) from None
    except UnicodeDecodeError as error:
        raise SiteFileError(str(path), [f"not UTF-8 text: {error}"]) from None
    except OSError as error:
        raise SiteFileError(str(path), [error.strerror or str(error)]) from None
    # As read_text did: universal newlines (a CR LF file reads as LF, a lone CR too).
    return parse(text.replace("\r\n", "\n").replace("\r", "\n"), str(path))


Progress = Callable[[list], Iterable]


def apply(session: Session, spec: SiteSpec, progress: Progress | None = None) -> LoadReport:
    """Upsert the spec: counters, topics and statements by slug, clocks by label. The caller
    commits. `progress` may wrap the statements (the CLI's progress bar for thousands of them).
    A statement's topics become the file's: those it does not name are taken off it."""
    report = LoadReport(created={}, changed={}, unchanged={})
    site = session.get(models.Site, 1)
    if site is None:
        session.add(models.Site(id=1, revision=1, **spec.site))
        _count(report.created, "site")
    else:
        _update(site, spec.site, report, "site")

    for position, clock in enumerate(spec.clocks):
        values = {**clock, "position": position}
        _upsert(session, models.Clock, "label", values, report, "clocks")
    counted = {}  # how each counter was counted: a change of its runs alone is a change too
    for position, counter in enumerate(spec.counters):
        values = {**counter, "position": position}
        counted[counter["slug"]] = _upsert(
            session, models.Counter, "slug", values, report, "counters"
        )
    for position, topic in enumerate(spec.topics):
        values = {**topic, "position": position}
        _upsert(session, models.Topic, "slug", values, report, "topics")
    session.flush()
    topics = {topic.slug: topic for topic in store.topics(session)}
    render_bodies(session, spec)  # done already, outside the transaction, when load() calls
    by = f"site file {spec.source or '(unnamed)'}"
    for statement in progress(spec.statements) if progress else spec.statements:
        statement = _under_former_slug(session, spec, statement)
        _upsert(session, models.Statement, "slug", statement, report, "statements", topics, by)

    for hook in spec.webhooks:
        _upsert(session, Webhook, "url", hook, report, "webhooks")

    session.flush()
    _apply_runs(session, spec, report, counted)
    wrong = versions.problems(session)  # with the stored ones, the file's links hold
    if wrong:
        found = [f"statements ({slug!r}): {m}" for slug, ms in wrong.items() for m in ms]
        raise SiteFileError(spec.source or "the site file", found)
    if report.any_change:
        store.mark_changed(session)
    announcements.announce_due(session, utcnow())  # those it made public now
    details = {"created": report.created, "changed": report.changed}
    audit.record(session, "sitefile.load", spec.source or "", details)
    return report


def _apply_runs(session: Session, spec: SiteSpec, report: LoadReport, counted: dict) -> None:
    """Each counter's earlier runs become the file's (none when it declares none): a counter
    whose runs change counts as changed. A run's statement must be stored by now."""
    problems = []
    for number, counter in enumerate(spec.counters, start=1):
        runs = spec.runs.get(counter["slug"], [])
        for n, run in enumerate(runs, start=1):
            wrong = run["statement"] and resets.statement_problem(session, run["statement"])
            if wrong:
                where = f"counters[{number}] ({counter['slug']!r}).runs[{n}]"
                problems.append(f"{where}: 'statement': {wrong}")
        row = resets.find_counter(session, counter["slug"])
        if resets.replace_runs(session, row, runs) and counted[counter["slug"]] == "unchanged":
            report.unchanged["counters"] -= 1
            _count(report.changed, "counters")
    if problems:
        raise SiteFileError(spec.source or "the site file", problems)


def _under_former_slug(session: Session, spec: SiteSpec, statement: dict) -> dict:
    """The statement under the slug it is stored as: the one derived now, or, if only that of
    an older version is stored, for the same title and instant, that one (slugs never change)."""
    former = spec.former_slugs.get(statement["slug"])
    if former is None or _statement_row(session, statement["slug"]) is not None:
        return statement
    row = _statement_row(session, former)
    if row is None or (row.title, row.published) != (statement["title"], statement["published"]):
        return statement
    return {**statement, "slug": former}


def _statement_row(session: Session, slug: str) -> models.Statement | None:
    query = sa.select(models.Statement).where(models.Statement.slug == slug)
    return session.scalars(query).first()


def render_bodies(session: Session, spec: SiteSpec) -> None:
    """Give each statement its body's HTML: the stored one when its body is unchanged, else
    rendered now, within the time limit. SiteFileError names each body that cannot be."""
    pending = [s for s in spec.statements if "body_html" not in s]
    stored: dict[str, tuple[str, str]] = {}
    slugs = [s["slug"] for s in pending]
    for start in range(0, len(slugs), 500):  # well under every database's bound parameters
        query = sa.select(models.Statement.slug, models.Statement.body, models.Statement.body_html)
        found = session.execute(query.where(models.Statement.slug.in_(slugs[start : start + 500])))
        stored.update((slug, (body, html)) for slug, body, html in found)
    problems = []
    for number, statement in enumerate(spec.statements, start=1):
        if "body_html" in statement:
            continue
        body, html = stored.get(statement["slug"], (None, ""))
        try:
            unchanged = body == statement["body"]
            statement["body_html"] = html if unchanged else rendering.body_html(statement["body"])
        except rendering.BodyNotRendered as error:
            problems.append(f"statements[{number}] ({statement['slug']!r}): {error}")
    if problems:
        raise SiteFileError(spec.source or "the site file", problems)


def _upsert(
    session, model, key: str, values: dict, report: LoadReport, kind: str, topics=None, by=""
) -> str:
    """Insert or update one row; a statement's `topics` are links to `topics` (by slug).
    How it was counted: created, changed or unchanged."""
    row = session.scalars(sa.select(model).where(getattr(model, key) == values[key])).first()
    columns = {name: value for name, value in values.items() if name != "topics"}
    if row is None:
        row = model(**columns)
        session.add(row)
        if "topics" in values:
            editing.set_topics(row, values["topics"], topics)
        _count(report.created, kind)
        return "created"
    with revisions.kept(session, row, by) if by else contextlib.nullcontext():
        changed = _assign(row, columns)
        if "topics" in values:
            changed = editing.set_topics(row, values["topics"], topics) or changed
    _count(report.changed if changed else report.unchanged, kind)
    return "changed" if changed else "unchanged"


def _update(row, values: dict, report: LoadReport, kind: str) -> None:
    _count(report.changed if _assign(row, values) else report.unchanged, kind)


def _assign(row, values: dict) -> bool:
    """Set the values that differ; whether any did."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def _count(tally: dict[str, int], kind: str) -> None:
    tally[kind] = tally.get(kind, 0) + 1


def load(target_store: store.Store, spec: SiteSpec, progress: Progress | None = None) -> LoadReport:
    """All of the file, or none of it. Bodies are rendered first, outside the transaction:
    on SQLite it holds the one write lock, and rendering thousands of bodies takes a while."""
    with target_store.session() as session:
        render_bodies(session, spec)
    with target_store.session() as session, session.begin():
        return apply(session, spec, progress)
