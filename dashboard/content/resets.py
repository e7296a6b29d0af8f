"""Resetting a counter: the current run ends on a date, with a reason (and the statement that
explains it), and a new one starts that day. Every way to reset (the API, the admin, the CLI)
goes through reset_counter; the site file declares earlier runs with the same checks.

A reset writes completely or not at all: every problem is found, each naming its field
(`on`, `reason`, `statement`), before anything is written."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dashboard.content import audit, models, store
from dashboard.content.schema import FieldErrors
from dashboard.content.schema.run import REASON_MAX, statement_slug
from dashboard.core import timecalc
from dashboard.webhooks import outbox


class UnknownCounter(LookupError):
    """No counter has this slug."""


def parse_day(text, field: str = "on") -> dt.date:
    """YYYY-MM-DD as the API, a form or the CLI gives it; FieldErrors naming `field`."""
    if isinstance(text, dt.date) and not isinstance(text, dt.datetime):
        return text
    try:
        if not isinstance(text, str):
            raise ValueError
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        if not isinstance(text, str):
            wrong = f"'{field}' must be a date written as text, such as \"2018-03-04\""
            raise FieldErrors({field: [wrong]}) from None
        raise FieldErrors({field: [f"{text!r} is not a date such as 2018-03-04"]}) from None


def find_counter(session: Session, slug: str, lock: bool = False) -> models.Counter | None:
    """The counter; with `lock`, its row held until the transaction ends (PostgreSQL: two
    resets at once take turns, so the second starts from the first's new run)."""
    query = sa.select(models.Counter).where(models.Counter.slug == slug)
    return session.scalars(query.with_for_update() if lock else query).first()


def runs_of(session: Session, counter_id: int) -> list[models.CounterRun]:
    """A counter's earlier runs, oldest first."""
    run = models.CounterRun
    query = sa.select(run).where(run.counter_id == counter_id).order_by(run.start, run.id)
    return list(session.scalars(query))


def statement_problem(session: Session, slug: str) -> str | None:
    """What is wrong with naming the statement `slug` as a reset's explanation."""
    wrong = statement_slug(slug)
    if wrong:
        return wrong
    found = session.execute(
        sa.select(models.Statement.draft).where(models.Statement.slug == slug)
    ).first()
    if found is None:
        return f"there is no statement {slug!r}"
    if found.draft:
        return f"the statement {slug!r} is a draft: publish it first"
    return None


def _problems(session, counter, zone_name, on, reason, statement, at) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if on is None or on == "":
        problems["on"] = ["missing 'on': the date the run ends, such as 2018-03-04"]
    elif not isinstance(on, dt.date) or isinstance(on, dt.datetime):
        try:
            on = parse_day(on)
        except FieldErrors as error:
            problems.update(error.fields)
    if "on" in problems:
        pass  # said already
    elif timecalc.year_problem(on):
        problems["on"] = [timecalc.year_problem(on)]
    else:
        today = timecalc.local_date(at, zone_name)
        if on < counter.since:
            problems["on"] = [
                f"{on} is before the current run began ({counter.since}): a reset cannot end it "
                "before it started"
            ]
        elif on > today:
            problems["on"] = [f"{on} is in the future: today is {today} in {zone_name}"]
    if reason is not None and not isinstance(reason, str):
        problems["reason"] = ["'reason' must be text: say why the counter starts again"]
    elif not reason or not reason.strip():
        problems["reason"] = ["'reason' must not be empty: say why the counter starts again"]
    elif len(reason.strip()) > REASON_MAX:
        problems["reason"] = [f"'reason' may have at most {REASON_MAX} characters"]
    elif "\x00" in reason:
        problems["reason"] = ["'reason' must not contain a NUL character"]
    if statement:
        if not isinstance(statement, str):
            problems["statement"] = ["'statement' must be the slug of a statement"]
        else:
            wrong = statement_problem(session, statement)
            if wrong:
                problems["statement"] = [wrong]
    return problems


def reset_counter(
    session: Session,
    slug: str,
    on: dt.date | str,
    reason: str,
    statement: str | None = None,
    actor: str | None = None,
    at: dt.datetime | None = None,
) -> models.CounterRun:
    """End the counter's current run on `on` (a date, or YYYY-MM-DD) and start a new one then,
    in the caller's transaction (which the caller commits). `at` is the instant of the reset
    (default: now): `on` may not be after the counter's own date then. UnknownCounter, or
    FieldErrors naming each bad field, before anything is written."""
    at = timecalc.as_utc(at or timecalc.utcnow())
    counter = find_counter(session, slug, lock=True)
    if counter is None:
        raise UnknownCounter(f"there is no counter {slug!r}")
    site = session.get(models.Site, 1)
    zone_name = counter.timezone or site.timezone
    statement = statement.strip() if isinstance(statement, str) else statement
    problems = _problems(session, counter, zone_name, on, reason, statement, at)
    if problems:
        raise FieldErrors(problems)
    on = parse_day(on)
    run = models.CounterRun(
        counter_id=counter.id,
        start=counter.since,
        end=on,
        reason=reason.strip(),
        statement=statement or "",
        recorded_at=at,
    )
    session.add(run)
    details = {
        "from": counter.since.isoformat(),
        "on": on.isoformat(),
        "days": timecalc.days_between(counter.since, on),
        "statement": statement or "",
    }
    counter.since = on
    audit.record(session, "counter.reset", slug, details, actor=actor, at=at)
    # Its webhook event, in the same transaction: sent exactly when the reset is kept.
    outbox.enqueue(session, "counter.reset", reset_event(slug, run, details), at)
    session.flush()
    store.mark_changed(session)
    return run


def reset(
    slug: str,
    on: dt.date | str,
    reason: str,
    statement: str | None = None,
    at: dt.datetime | None = None,
) -> models.CounterRun:
    """reset_counter in a transaction of its own, by whoever is acting (audit.current_actor);
    this process's pages show the new run at once."""
    the_store = store.current_store()
    with the_store.session() as session, session.begin():
        run = reset_counter(session, slug, on, reason, statement, audit.current_actor(), at)
    the_store.changed()
    return run


def replace_runs(session: Session, counter: models.Counter, runs: list[dict]) -> bool:
    """Make the counter's earlier runs these (as columns, oldest first), as a site file
    declares them; whether they changed. Runs already stored as given are kept as they are."""
    stored = runs_of(session, counter.id)
    fields = ("start", "end", "reason", "statement")
    if [tuple(getattr(r, f) for f in fields) for r in stored] == [
        tuple(r[f] for f in fields) for r in runs
    ]:
        return False
    for row in stored:
        session.delete(row)
    session.flush()
    for values in runs:
        session.add(models.CounterRun(counter_id=counter.id, **values))
    return True


def reset_event(slug: str, run: models.CounterRun, details: dict) -> dict:
    """The `counter.reset` webhook's data: the counter, the run that ended, and the new start."""
    return {
        "counter": slug,
        "ended_run": {
            "start": details["from"],
            "end": details["on"],
            "days": details["days"],
            "reason": run.reason,
            "statement": run.statement or None,
        },
        "since": details["on"],
    }
