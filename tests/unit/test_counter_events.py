"""A counter's reset and its milestones reach the webhooks subscribed to them, in the same
transaction as their cause: a refused reset sends nothing, a milestone is sent once."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from dashboard.content import resets
from dashboard.content.schema import FieldErrors
from dashboard.content.schema.webhook import new_secret
from dashboard.content.store import EXTENSION as STORE
from dashboard.webhooks.models import Delivery, Webhook
from dashboard.worker import scheduler
from tests.unit.test_milestone_announcements import DAY_700, configure

EVENTS = ["counter.reset", "counter.milestone"]


def sent(app) -> list[tuple[str, dict]]:
    with app.extensions[STORE].session() as db:
        rows = db.scalars(sa.select(Delivery).order_by(Delivery.id))
        return [(row.event, json.loads(row.payload)["data"]) for row in rows]


def subscribe(app) -> None:
    with app.extensions[STORE].session() as db, db.begin():
        db.add(Webhook(url="https://hooks.example.org/in", secret=new_secret(), events=EVENTS))


def test_a_reset_is_sent_with_the_run_it_ended_and_a_refused_one_is_not(app):
    subscribe(app)
    at = dt.datetime(2020, 1, 26, 17, 58, tzinfo=dt.UTC)
    with app.app_context(), pytest.raises(FieldErrors):
        resets.reset("salisbury", "2020-01-20", "", at=at)  # no reason: nothing written
    assert sent(app) == []
    with app.app_context():
        resets.reset("salisbury", "2020-01-20", "A new incident", at=at)
    assert sent(app) == [
        (
            "counter.reset",
            {
                "counter": "salisbury",
                "ended_run": {
                    "start": "2018-03-04",
                    "end": "2020-01-20",
                    "days": 687,
                    "reason": "A new incident",
                    "statement": None,
                },
                "since": "2020-01-20",
            },
        )
    ]


def test_a_milestone_is_sent_once_with_its_drafts(app):
    subscribe(app)
    configure(app, milestones=[700])
    first = scheduler.announce_milestones(app, DAY_700)
    again = scheduler.announce_milestones(app, DAY_700 + dt.timedelta(minutes=1))
    assert len(first) == 1 and again == []
    ((event, data),) = sent(app)
    assert event == "counter.milestone"
    assert (data["counter"], data["kind"], data["value"], data["date"]) == (
        "salisbury", "days", 700, "2020-02-02",
    )  # fmt: skip
    assert data["statements"] == list(first[0].statements) and data["statements"]
