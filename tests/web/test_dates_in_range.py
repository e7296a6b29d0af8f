"""Dates and instants stay in the years the dashboard accepts (config.EARLIEST_YEAR to
LATEST_YEAR), on every way in: the write API, the admin's forms, site files (bad-cases.toml),
`at=` (test_hostile_input.py) and `dashboard snapshot --at`; and go out as RFC 3339, with
four-digit years."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest

from dashboard import config
from dashboard.core import timecalc
from tests.helpers.admin import form_fields, make_admin, post_form, signed_in_client

UTC = dt.UTC
RANGE = f"outside the years {config.EARLIEST_YEAR} to {config.LATEST_YEAR}"


def test_instants_are_written_with_four_digit_years():
    assert timecalc.format_instant(dt.datetime(1, 1, 1, tzinfo=UTC)) == "0001-01-01T00:00:00Z"
    assert timecalc.format_instant(dt.datetime(999, 5, 6, 7, 8, 9, 5, UTC)) == (
        "0999-05-06T07:08:09Z"
    )
    assert timecalc.local_input_text(dt.datetime(1, 1, 2, tzinfo=UTC), "UTC") == (
        "0001-01-02T00:00"
    )


@pytest.mark.parametrize(
    ("text", "accepted"),
    [
        ("1899-12-31T23:59:59Z", False),
        ("1900-01-01T00:00:00Z", True),
        ("1900-01-01T00:30:00+01:00", True),  # the year as written, not in UTC
        ("2200-12-31T23:59:59Z", True),
        ("2201-01-01T00:00:00Z", False),
        ("9999-12-31T23:59:59-05:00", False),  # in UTC past the year 9999: no OverflowError
    ],
)
def test_instants_are_read_only_within_the_years(text, accepted):
    if accepted:
        assert timecalc.parse_instant(text) == dt.datetime.fromisoformat(text)
    else:
        with pytest.raises(timecalc.TimeError, match=RANGE):
            timecalc.parse_instant(text)


def test_a_feed_date_outside_the_years_falls_back_to_the_fetch_time():
    assert timecalc.from_utc_struct(time.struct_time((1, 1, 1, 0, 0, 0, 0, 1, 0))) is None
    kept = timecalc.from_utc_struct(time.struct_time((2020, 1, 2, 3, 4, 5, 0, 2, 0)))
    assert kept == dt.datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_the_api_refuses_dates_outside_the_years(app, client, at_reference):
    made = app.test_cli_runner().invoke(args=["create-token", "dates"])
    token = re.search(r"^(dsh_\S+)$", made.output, re.M).group(1)
    headers = {"Authorization": f"Bearer {token}"}
    for published in ("0001-01-01", "0001-01-01T00:00:00Z", "9999-12-31", "2201-01-01"):
        body = {"title": "Out of range", "published": published}
        response = client.post("/api/v1/statements", json=body, headers=headers)
        assert response.status_code == 422, published
        assert "'published'" in response.json["error"], published
        assert any(RANGE in m for m in response.json["fields"]["published"]), published
    body = {"title": "The earliest", "published": "1900-01-01"}
    earliest = client.post("/api/v1/statements", json=body, headers=headers)
    assert earliest.status_code == 201
    assert earliest.json["published"] == "1900-01-01T00:00:00Z"  # London kept GMT by then


def test_the_admin_forms_refuse_dates_outside_the_years(app, at_reference):
    make_admin(app)
    client = signed_in_client(app)
    statement = post_form(
        client,
        "/admin/statements/new",
        {"title": "Out of range", "published": "0001-01-01T00:00", "status": "published"},
    )
    assert statement.status_code == 422
    assert RANGE in statement.get_data(as_text=True)
    fields = form_fields(client.get("/admin/counters/new").get_data(as_text=True), "counter-form")
    counter = post_form(
        client,
        "/admin/counters/new",
        {**fields, "slug": "far", "event": "the far future", "since": "9999-12-31"},
    )
    assert counter.status_code == 422
    assert f"&#39;since&#39;: 9999-12-31 is {RANGE}" in counter.get_data(as_text=True)


def test_snapshot_at_outside_the_years_names_the_option(runner):
    result = runner.invoke(args=["snapshot", "--at", "9999-12-31T23:59:59Z"])
    assert result.exit_code == 2
    assert "--at" in result.output and RANGE in result.output
    assert "Traceback" not in result.output
