"""A counter's display and milestones reach every view from the snapshot: the page in each
language, the embed, the badge, the API, the CLI, the milestones partial and the admin form."""

from __future__ import annotations

import sqlalchemy as sa
from flask import render_template

from dashboard.cache.live import live_pages
from dashboard.content import models, store
from dashboard.content.store import EXTENSION as STORE
from tests.helpers.admin import make_admin, post_form, signed_in_client
from tests.helpers.reference import REFERENCE_INSTANT

YMD = "1 year, 10 months and 22 days"  # 4 March 2018 to 26 January 2020: 693 days


def configure(app, slug: str, **values) -> None:
    with app.extensions[STORE].session() as db, db.begin():
        db.execute(sa.update(models.Counter).where(models.Counter.slug == slug).values(**values))
        store.mark_changed(db)
    app.extensions[STORE].changed()


def test_every_view_shows_the_display_and_the_milestone_of_the_day(app, client, at_reference):
    configure(app, "salisbury", display="ymd", milestones=[100, 693, 1000], anniversaries=True)
    configure(app, "glushkov", display="weeks")
    page = client.get("/").get_data(as_text=True)
    assert f'<span class="counter-days">{YMD}</span> have passed since the Salisbury' in page
    assert '<strong class="counter-milestone">693 days today</strong>' in page
    assert "97 weeks and 6 days</span> have passed since the death" in page
    russian = client.get("/?lang=ru").get_data(as_text=True)
    assert "1 год, 10 месяцев и 22 дня</span> прошло с инцидента в Солсбери" in russian
    assert "Сегодня — 693 дня" in russian
    assert "97 недель и 6 дней" in russian
    assert YMD in client.get("/embed?counters=salisbury").get_data(as_text=True)
    # The board sets the number, the phrase and the note apart: the phrase is the display's.
    board = client.get("/board?counters=salisbury,glushkov").get_data(as_text=True)
    assert f'<span class="counter-days">{YMD}</span>' in board
    assert '<span class="counter-caption">have passed since the Salisbury incident</span>' in board
    assert '<span class="counter-caption">have passed since the death' in board
    assert "days have passed" not in board
    assert f">{YMD}<" in client.get("/badge/salisbury.svg").get_data(as_text=True)
    assert client.get("/badge/glushkov.json?lang=ru").json["message"] == "97 недель и 6 дней"

    salisbury = client.get("/api/v1/snapshot").json["counters"][0]
    assert salisbury["days"] == 693  # the number machines read stays in days
    assert salisbury["display"] == "ymd"
    assert salisbury["text"].startswith(f"{YMD} have passed since the Salisbury incident - no")
    assert salisbury["milestones_today"] == [
        {"kind": "days", "value": 693, "date": "2020-01-26", "text": "693 days"}
    ]
    assert [m["text"] for m in salisbury["next_milestones"]] == ["2 years", "1,000 days", "3 years"]
    lines = app.test_cli_runner().invoke(args=["snapshot"]).output.splitlines()
    at = lines.index(next(line for line in lines if line.startswith(f"{YMD} have passed since")))
    assert lines[at + 1] == "  693 days today"

    with app.test_request_context():
        reading = live_pages().snapshot(REFERENCE_INSTANT, "en").counters[0]
        partial = render_template("public/_counter_milestones.html", reading=reading)
    assert "<strong>693 days today</strong>" in partial
    assert '<time datetime="2018-06-12">12 June 2018</time>' in partial  # day 100
    assert '<time datetime="2019-03-04">4 March 2019</time>' in partial  # the first year
    assert '<time datetime="2020-03-04">4 March 2020</time>' in partial  # the second


def test_the_admin_form_sets_the_display_and_names_a_missing_calendar(app, at_reference):
    make_admin(app)
    admin = signed_in_client(app)
    form = admin.get("/admin/counters/1", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    for label in ("Как считать", "В рабочих днях", "Праздничные дни", "Памятные даты"):
        assert label in form
    values = {
        "slug": "salisbury",
        "since": "2024-12-20",
        "event": "the Salisbury incident",
        "display": "working-days",
        "milestones": "100, 500",
    }
    refused = post_form(admin, "/admin/counters/1", values)
    assert refused.status_code == 422
    assert "&#39;calendar&#39; is required" in refused.get_data(as_text=True)
    saved = post_form(admin, "/admin/counters/1", {**values, "calendar": "RU", "every": "1000"})
    assert saved.status_code == 303
    with app.extensions[STORE].session() as db:
        row = db.get(models.Counter, 1)
        assert (row.display, row.calendar, row.milestones, row.every) == (
            "working-days", "RU", [100, 500], 1000,
        )  # fmt: skip
