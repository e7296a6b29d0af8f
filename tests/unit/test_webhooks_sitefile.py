"""[[webhooks]] in a site file: checked by the schema the admin uses, each problem naming its
field; loaded by url; exported with its secret, so the export loads back the same."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa
import time_machine

from dashboard.content import sitefile
from dashboard.content.schema.webhook import new_secret
from dashboard.content.store import EXTENSION as STORE
from dashboard.webhooks.models import Delivery, Webhook
from tests.helpers.reference import site_file

SECRET = new_secret()
HOOK = f"""
[[webhooks]]
url = "https://hooks.example/in"
secret = "{SECRET}"
events = ["statement.published", "counter.reset"]
"""
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
FRESH = """
[[statements]]
published = 2026-03-02T08:59:00Z
title = "Published a minute ago"
"""


def test_webhooks_load_export_and_round_trip_with_their_secret(empty_app, tmp_path):
    path = tmp_path / "site.toml"
    path.write_text(site_file("good.toml") + FRESH + HOOK, encoding="utf-8")
    runner = empty_app.test_cli_runner()
    with time_machine.travel(NOW, tick=False):
        first = runner.invoke(args=["load", str(path)])
        assert first.exit_code == 0, first.output
        assert "webhooks: 1 new" in first.output
        assert SECRET not in first.output
        again = runner.invoke(args=["load", str(path)])
    assert "webhooks: 0 new, 0 changed, 1 unchanged" in again.output
    with empty_app.extensions[STORE].session() as db:
        (hook,) = db.scalars(sa.select(Webhook)).all()
        assert (hook.secret, hook.events, hook.enabled) == (
            SECRET, ["statement.published", "counter.reset"], True,
        )  # fmt: skip
        # The load made one statement public just now: announced once, not again on reload;
        # the file's older statements are archive, filed without an event.
        (sent,) = db.scalars(sa.select(Delivery)).all()
        assert json.loads(sent.payload)["data"]["title"] == "Published a minute ago"
    exported = tmp_path / "export.toml"
    assert runner.invoke(args=["export", str(exported)]).exit_code == 0
    text = exported.read_text(encoding="utf-8")
    assert "[[webhooks]]" in text and SECRET in text
    assert (
        "webhooks: 0 new, 0 changed, 1 unchanged"
        in runner.invoke(args=["load", str(exported)]).output
    )


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ('url = "ftp://hooks.example/"', "'url' must be an http:// or https:// address"),
        ('url = "http://10.0.0.7/in"', "'url' points at 10.0.0.7, which is not a public"),
        ('url = "http://[::1]:8000/in"', "'url' points at ::1, which is not a public"),
        ('secret = "s3cret"', "'secret' must start with whsec_"),
        ('secret = "whsec_c2hvcnQ="', "'secret' must be whsec_ followed by the base64 of 24"),
        ('events = ["statement.deleted"]', "'events': unknown event 'statement.deleted'"),
        ("events = []", "'events' must name at least one event"),
        ('colour = "red"', "unknown key 'colour'"),
    ],
)
def test_a_bad_webhook_names_its_field_and_loads_nothing(table, expected):
    good = {
        "url": 'url = "https://hooks.example/in"',
        "secret": f'secret = "{SECRET}"',
        "events": 'events = ["counter.reset"]',
    }
    key = table.split(" ")[0]
    lines = [table if name == key else line for name, line in good.items()]
    if key not in good:
        lines.append(table)
    text = site_file("good.toml") + "\n[[webhooks]]\n" + "\n".join(lines) + "\n"
    with pytest.raises(sitefile.SiteFileError) as raised:
        sitefile.parse(text, "site.toml")
    assert any(f"webhooks[1]: {expected}" in p for p in raised.value.problems), raised.value
    assert SECRET not in str(raised.value)
