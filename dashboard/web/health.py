"""/healthz: is the database reachable, and is the scheduler alive?"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, jsonify

from dashboard.config import HEARTBEAT_STALE_SECONDS
from dashboard.content import models
from dashboard.content.store import current_store
from dashboard.core import timecalc

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    now = timecalc.utcnow()
    body: dict = {"at": timecalc.format_instant(now)}
    try:
        with current_store().session() as session:
            session.execute(sa.text("SELECT 1"))
            state = session.get(models.SchedulerState, "scheduler")
    except sa.exc.SQLAlchemyError as error:
        body["database"] = {"reachable": False, "error": type(error).__name__}
        body["scheduler"] = None
        return jsonify(body), 503, {"Cache-Control": "no-store"}
    body["database"] = {"reachable": True}
    if state is None:
        body["scheduler"] = {"last_heartbeat": None, "alive": False}
    else:
        age = -timecalc.seconds_until(state.heartbeat_at, now)
        body["scheduler"] = {
            "holder": state.holder,
            "last_heartbeat": timecalc.format_instant(state.heartbeat_at),
            "age_seconds": round(age, 1),
            "alive": age <= HEARTBEAT_STALE_SECONDS,
        }
    return jsonify(body), 200, {"Cache-Control": "no-store"}


def register(app) -> None:
    app.register_blueprint(bp)
