"""/healthz: is the database reachable and migrated, and is the scheduler alive?

- 503 when this node cannot serve: the database is unreachable, or reachable without the
  schema this version needs (never migrated, or behind: `dashboard migrate`).
- A stale scheduler (no heartbeat for SCHEDULER_STALE_SECONDS, or none yet) is reported, and
  the answer stays 200, "degraded": a load balancer must not take web nodes out because the
  one scheduler died, since they still serve every page (rendering what was not warmed).
- `?strict=1` answers 503 for any problem, a stale scheduler included: for monitoring.
"""

from __future__ import annotations

import functools

import sqlalchemy as sa
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify

from dashboard.content import models, store
from dashboard.content.store import current_store
from dashboard.core import timecalc
from dashboard.web import params

bp = Blueprint("health", __name__)
HEALTH = params.Query("health.healthz", strict=params.Flag())
MIGRATE = "run dashboard migrate"


@functools.cache
def migrations() -> tuple[str, frozenset[str]]:
    """The head revision this code ships, and every revision it knows (read once)."""
    config = Config()
    config.set_main_option("script_location", store.MIGRATIONS)
    script = ScriptDirectory.from_config(config)
    return script.get_current_head(), frozenset(r.revision for r in script.walk_revisions())


def schema_report(revision: str | None) -> tuple[dict, str | None, bool]:
    """The database's schema as JSON, the problem with it (or None), and whether pages can be
    served from it."""
    head, known = migrations()
    if revision is None:
        return {"schema": "missing"}, f"schema missing: {MIGRATE}", False
    report = {"schema": "current", "revision": revision}
    if revision == head:
        return report, None, True
    if revision in known:
        report.update(schema="behind", head=head)
        return report, f"schema behind ({revision}, this version needs {head}): {MIGRATE}", False
    # Migrated by a newer version: this one still reads the tables it knows.
    report.update(schema="unknown", head=head)
    return report, f"schema at {revision}, which this version does not know (newer?)", True


def scheduler_report(state: models.SchedulerState | None, now) -> tuple[dict, str | None]:
    stale_after = current_app.config["SCHEDULER_STALE_SECONDS"]
    if state is None:
        report = {"last_heartbeat": None, "age_seconds": None, "alive": False, "stale": True}
        return {**report, "stale_after_seconds": stale_after}, "scheduler: no heartbeat yet"
    age = -timecalc.seconds_until(state.heartbeat_at, now)
    stale = age > stale_after
    report = {
        "holder": state.holder,
        "last_heartbeat": timecalc.format_instant(state.heartbeat_at),
        "age_seconds": round(age, 1),
        "alive": not stale,
        "stale": stale,
        "stale_after_seconds": stale_after,
    }
    problem = f"scheduler stale: last heartbeat {age:.0f} s ago" if stale else None
    return report, problem


@bp.get("/healthz")
def healthz():
    no_store = {"Cache-Control": "no-store"}
    try:
        strict = HEALTH.read()["strict"]
    except params.BadParameter as error:
        return jsonify(error=str(error)), 400, no_store
    now = timecalc.utcnow()
    body: dict = {"at": timecalc.format_instant(now)}
    problems: list[str] = []
    servable, state = False, None
    try:
        with current_store().session() as session:
            revision = MigrationContext.configure(session.connection()).get_current_revision()
            database, problem, servable = schema_report(revision)
            if servable:
                state = session.get(models.SchedulerState, "scheduler")
    except sa.exc.SQLAlchemyError as error:
        body["database"] = {"reachable": False, "error": type(error).__name__}
        body["scheduler"] = None
        problems.append(f"database unreachable ({type(error).__name__})")
    else:
        body["database"] = {"reachable": True, **database}
        problems += [problem] if problem else []
        body["scheduler"] = None
        if servable:
            body["scheduler"], problem = scheduler_report(state, now)
            problems += [problem] if problem else []
    status = 200 if servable and (not strict or not problems) else 503
    body["status"] = "ok" if not problems else ("degraded" if servable else "unavailable")
    body["problems"] = problems
    return jsonify(body), status, no_store


def register(app) -> None:
    app.register_blueprint(bp)
