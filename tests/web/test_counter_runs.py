"""Resetting a counter, through each of its four ways (the API, the admin, the CLI, the site
file), and the counter's own page: one function checks every reset, each problem names its
field, nothing is written on a problem, and every view reads the runs from the snapshot."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from dashboard.content import models
from dashboard.content.store import EXTENSION as STORE
from tests.helpers.admin import (
    csrf_token,
    dump,
    form_fields,
    make_admin,
    post_form,
    signed_in_client,
)
from tests.helpers.reference import SALISBURY, missing_lines

STATEMENT = "lavrov-times-of-india-2020"


def runs_and_since(app, slug: str = "salisbury"):
    with app.extensions[STORE].session() as db:
        counter = db.scalars(sa.select(models.Counter).where(models.Counter.slug == slug)).one()
        runs = db.scalars(sa.select(models.CounterRun).order_by(models.CounterRun.id)).all()
        return counter.since.isoformat(), [
            (r.start.isoformat(), r.end.isoformat(), r.reason, r.statement) for r in runs
        ]


def audit_actions(app) -> list[tuple[str, str, str]]:
    with app.extensions[STORE].session() as db:
        rows = db.scalars(sa.select(models.AuditEntry).order_by(models.AuditEntry.id)).all()
        return [(r.actor, r.action, r.subject) for r in rows if r.action == "counter.reset"]


@pytest.fixture
def token(runner):
    result = runner.invoke(args=["create-token", "press-office"])
    return re.search(r"^(dsh_\S+)$", result.output, re.M).group(1)


def test_the_api_resets_with_a_token_names_each_bad_field_and_writes_nothing_then(
    app, client, token, at_reference
):
    url = "/api/v1/counters/salisbury/resets"
    body = {"on": "2019-06-01", "reason": "A second incident", "statement": STATEMENT}
    assert client.post(url, json=body).status_code == 401
    before = dump(app), runs_and_since(app)
    auth = {"Authorization": f"Bearer {token}"}
    bad = client.post(
        url, json={"on": "2018-03-01", "reason": " ", "statement": "no-such"}, headers=auth
    )
    assert bad.status_code == 422 and set(bad.json["fields"]) == {"on", "reason", "statement"}
    assert "before the current run began (2018-03-04)" in bad.json["fields"]["on"][0]
    assert "no statement 'no-such'" in bad.json["fields"]["statement"][0]
    future = client.post(url, json={**body, "on": "2020-01-27"}, headers=auth)  # London: the 26th
    assert (
        future.status_code == 422 and "in the future: today is 2020-01-26" in future.json["error"]
    )
    for wrong in ({**body, "on": "1 June"}, {**body, "extra": 1}, {"reason": "x"}):
        assert client.post(url, json=wrong, headers=auth).status_code == 422
    typed = client.post(url, json={**body, "on": 20190601, "reason": 7}, headers=auth)
    assert typed.status_code == 422 and typed.json["fields"] == {
        "on": ["'on' must be a date written as text, such as \"2018-03-04\""],
        "reason": ["'reason' must be text: say why the counter starts again"],
    }
    assert client.post("/api/v1/counters/nope/resets", json=body, headers=auth).status_code == 404
    assert (dump(app), runs_and_since(app)) == before  # nothing written by any of them

    made = client.post(url, json=body, headers=auth)
    assert made.status_code == 201 and made.headers["Location"] == "/api/v1/counters/salisbury"
    state = made.json
    assert state["since"] == "2019-06-01" and state["days"] == 239
    assert state["milestones"] == {"today": [], "past": [], "next": []}  # the demo sets none
    assert state["runs"][0] == {
        "start": "2018-03-04", "end": "2019-06-01", "days": 454, "reason": "A second incident",
        "statement": STATEMENT, "statement_url": f"/statements/{STATEMENT}",
    }  # fmt: skip
    assert state["runs"][1]["end"] is None and state["runs"][1]["days"] == 239
    assert state["record"] == {
        "days": 454, "start": "2018-03-04", "end": "2019-06-01", "current": False,
        "text": "record: 454 days",
    }  # fmt: skip
    assert audit_actions(app) == [("token press-office", "counter.reset", "salisbury")]
    read = client.get("/api/v1/counters/salisbury?lang=ru")
    assert read.json["record"]["text"] == "рекорд: 454 дня" and read.headers["ETag"]
    past = client.get("/api/v1/counters/salisbury?at=2019-06-02T12:00:00Z").json
    assert past["days"] == 1 and past["record"]["days"] == 454 and "ETag" not in past
    assert client.get("/api/v1/counters?at=yesterday").status_code == 400
    listed = client.get("/api/v1/counters").json["counters"]
    assert [c["slug"] for c in listed] == ["salisbury", "glushkov"]
    assert client.get("/api/v1/counters/nope").status_code == 404


def test_the_cli_resets_and_refuses_naming_the_option(app, runner, at_reference):
    refused = runner.invoke(
        args=[
            "reset-counter",
            "salisbury",
            "--on",
            "2019-06-01",
            "--reason",
            "x",
            "--statement",
            "nope",
        ]
    )
    assert refused.exit_code == 1 and "--statement: there is no statement 'nope'" in refused.output
    assert runs_and_since(app) == ("2018-03-04", [])
    unknown = runner.invoke(args=["reset-counter", "nope", "--on", "2019-06-01", "--reason", "x"])
    assert unknown.exit_code == 2 and "there is no counter 'nope'" in unknown.output
    # The same day as the run began: a run of 0 days.
    done = runner.invoke(
        args=["reset-counter", "salisbury", "--on", "2018-03-04", "--reason", "Restarted"]
    )
    assert done.exit_code == 0, done.output
    assert "after 0 days" in done.output and "record: 693 days" in done.output
    assert runs_and_since(app) == ("2018-03-04", [("2018-03-04", "2018-03-04", "Restarted", "")])
    assert audit_actions(app) == [("command line", "counter.reset", "salisbury")]
    # Editing `since` back before the run the reset ended would overlap it: refused.
    make_admin(app)
    client = signed_in_client(app)
    with app.extensions[STORE].session() as db:
        row_id = db.scalars(
            sa.select(models.Counter.id).where(models.Counter.slug == "salisbury")
        ).one()
    edit = f"/admin/counters/{row_id}"
    fields = form_fields(client.get(edit).get_data(as_text=True), "counter-form")
    refused = post_form(client, edit, {**fields, "since": "2018-03-01"}, token_from=edit)
    text = refused.get_data(as_text=True)
    assert (
        refused.status_code == 422 and "is before the last earlier run ended (2018-03-04)" in text
    )
    assert runs_and_since(app)[0] == "2018-03-04"


def test_the_admin_resets_with_csrf_and_a_tick_in_russian(app, at_reference):
    make_admin(app)
    client = signed_in_client(app)
    client.post(
        "/admin/language",
        data={"lang": "ru", "next": "/admin/", "csrf_token": csrf_token(client, "/admin/")},
    )
    with app.extensions[STORE].session() as db:
        row_id = db.scalars(
            sa.select(models.Counter.id).where(models.Counter.slug == "salisbury")
        ).one()
    url = f"/admin/counters/{row_id}/reset"
    page = client.get(url).get_data(as_text=True)
    assert (
        "Сброс счётчика" in page and "Прежних периодов нет" in page and 'name="csrf_token"' in page
    )
    assert f'href="{url}"' in client.get("/admin/counters").get_data(as_text=True)
    form = {"on": "2019-06-01", "reason": "Второй инцидент", "statement": STATEMENT}
    assert client.post(url, data={**form, "confirm": "1"}).status_code == 400  # no CSRF token
    unticked = post_form(client, url, {**form, "on": "2020-02-01"}, token_from=url)
    text = unticked.get_data(as_text=True)
    assert unticked.status_code == 422 and "Отметьте флажок" in text
    assert "ещё не наступило: сегодня 2020-01-26" in text  # the date's problem too, in Russian
    assert runs_and_since(app) == ("2018-03-04", [])
    done = post_form(client, url, {**form, "confirm": "1"}, token_from=url)
    assert done.status_code == 303 and done.location == url
    shown = client.get(url).get_data(as_text=True)
    assert "сброшен: новый период идёт с 2019-06-01" in shown and "Второй инцидент" in shown
    assert "04.03.2018" in shown and "454" in shown and f"/statements/{STATEMENT}" in shown
    assert runs_and_since(app)[0] == "2019-06-01"
    assert audit_actions(app) == [("press@embassy.example", "counter.reset", "salisbury")]


SITE = """
[site]
title = "Embassy"
timezone = "Europe/London"

[[counters]]
slug = "salisbury"
since = 2019-06-01
event = "the Salisbury incident"

[[counters.runs]]
from = 2018-03-04
to = 2018-03-04
reason = "Started and stopped the same day"

[[counters.runs]]
from = 2018-03-04
to = 2019-06-01
reason = "A second incident"
statement = "on-the-incident"

[[statements]]
slug = "on-the-incident"
title = "On the incident"
published = 2019-06-01T12:00:00Z
"""


def test_the_site_file_declares_runs_export_round_trips_them_and_errors_say_where(
    empty_app, tmp_path, at_reference
):
    runner = empty_app.test_cli_runner()
    source = tmp_path / "site.toml"
    source.write_text(SITE, encoding="utf-8")
    assert runner.invoke(args=["load", str(source)]).exit_code == 0
    again = runner.invoke(args=["load", str(source)])
    assert "counters: 0 new, 0 changed, 1 unchanged" in again.output  # idempotent
    expected = ("2019-06-01", [
        ("2018-03-04", "2018-03-04", "Started and stopped the same day", ""),
        ("2018-03-04", "2019-06-01", "A second incident", "on-the-incident"),
    ])  # fmt: skip
    assert runs_and_since(empty_app) == expected
    exported = tmp_path / "export.toml"
    assert runner.invoke(args=["export", str(exported)]).exit_code == 0
    assert "[[counters.runs]]" in exported.read_text(encoding="utf-8")
    edited = SITE.replace('reason = "A second incident"', 'reason = "Edited"')
    source.write_text(edited, encoding="utf-8")
    assert "1 changed" in runner.invoke(args=["load", str(source)]).output
    reloaded = runner.invoke(args=["load", str(exported)])  # export -> load: the history is back
    assert "counters: 0 new, 1 changed" in reloaded.output, reloaded.output
    assert runs_and_since(empty_app) == expected
    assert (
        "counters: 0 new, 0 changed, 1 unchanged"
        in runner.invoke(args=["load", str(exported)]).output
    )

    wrong = (
        SITE.replace("to = 2019-06-01", "to = 2019-07-01")
        .replace("to = 2018-03-04", "to = 2018-03-01")
        .replace('statement = "on-the-incident"', 'statement = "missing"\nwhen = 1')
    )
    source.write_text(wrong, encoding="utf-8")
    refused = runner.invoke(args=["load", str(source)])
    assert refused.exit_code == 1
    assert (
        "counters[1] ('salisbury').runs[1]: 'to' (2018-03-01) is before 'from' (2018-03-04)"
        in refused.output
    )
    assert "counters[1] ('salisbury').runs[2]: unknown key 'when'" in refused.output
    assert "after 'since' (2019-06-01)" in refused.output
    missing = SITE.replace('statement = "on-the-incident"', 'statement = "missing"')
    source.write_text(missing, encoding="utf-8")
    refused = runner.invoke(args=["load", str(source)])
    assert "runs[2]: 'statement': there is no statement 'missing'" in refused.output
    assert runs_and_since(empty_app) == expected  # nothing was changed


def test_the_counter_page_shows_the_runs_the_record_and_ways_to_share_live_and_without_js(
    app, client, runner, at_reference
):
    args = ["reset-counter", "salisbury", "--on", "2019-06-01", "--statement", STATEMENT]
    long_reason = "A second incident, " + "with a long explanation " * 12
    assert runner.invoke(args=[*args, "--reason", long_reason]).exit_code == 0
    page = client.get("/counters/salisbury")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "public, max-age=21720"
    assert "239 days have passed since the Salisbury incident" in html  # the same caption
    assert "Current run since 01.06.2019 (Europe/London): 239 days" in html
    assert "record: 454 days" in html and long_reason.strip() in html
    assert f'<a href="/statements/{STATEMENT}">' in html
    card = "http://localhost/counters/salisbury/card.png?lang=en"
    assert f'<meta property="og:image" content="{card}">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert client.get(card).headers["Content-Type"] == "image/png"  # the card it points to
    assert '<meta property="og:title" content="239 days have passed' in html
    for shared in (
        'value="http://localhost/counters/salisbury"',
        'value="http://localhost/badge/salisbury.svg"',
        "data-counters=&#34;salisbury&#34;",
        "embed?counters=salisbury",
    ):
        assert shared in html, shared
    assert 'hx-get="/counters/salisbury?lang=en"' in html and "load delay:21720100ms" in html
    # The live block alone, as htmx asks for it: the same block, cached until London's midnight.
    live = client.get("/counters/salisbury", headers={"HX-Request": "true"})
    block = live.get_data(as_text=True)
    assert block.lstrip().startswith('<section id="live"') and "<html" not in block
    assert "record: 454 days" in block and live.headers["Cache-Control"] == "public, max-age=21720"
    assert "HX-Request" in live.headers["Vary"] and live.headers["ETag"] != page.headers["ETag"]
    again = client.get(
        "/counters/salisbury", headers={"HX-Request": "true", "If-None-Match": live.headers["ETag"]}
    )
    assert again.status_code == 304
    russian = client.get("/counters/salisbury?lang=ru").get_data(as_text=True)
    assert (
        "рекорд: 454 дня" in russian
        and "Прежние периоды" in russian
        and "Текущий период с 01.06.2019" in russian
    )
    missing = client.get("/counters/nope")
    assert missing.status_code == 404 and "There is no counter called" in missing.get_data(
        as_text=True
    )
    # The main page leads to each counter's page, its text unchanged.
    index = client.get("/?lang=en").get_data(as_text=True)  # ?lang=ru above set the cookie
    assert 'href="/counters/glushkov"' in index and 'href="/counters/salisbury"' in index
    assert missing_lines(index, [SALISBURY.replace("693", "239")]) == []
