"""The reference capture of 26 January 2020, 17:58 London time, is the first test."""

from __future__ import annotations

import json

from tests.helpers.reference import (
    GLUSHKOV,
    LISTED_DATES,
    SALISBURY,
    TOP_LINES,
    listed_dates,
    missing_capture_lines,
    missing_lines,
    visible_text,
)


def test_cli_snapshot_json_matches_the_reference(runner):
    result = runner.invoke(args=["snapshot", "--at", "2020-01-26T17:58:00Z", "--json"])
    assert result.exit_code == 0, result.output
    shot = json.loads(result.output)
    assert shot["at"] == "2020-01-26T17:58:00Z"
    assert shot["date"] == {
        "text": "26 January 2020",
        "timezone": "Europe/London",
        "iso": "2020-01-26",
    }
    assert [(c["label"], c["time"], c["utc_offset"]) for c in shot["clocks"]] == [
        ("Moscow", "20:58", "+03:00"),
        ("London", "17:58", "+00:00"),
    ]
    assert [(c["slug"], c["days"], c["text"]) for c in shot["counters"]] == [
        ("salisbury", 693, SALISBURY),
        ("glushkov", 685, GLUSHKOV),
    ]
    assert shot["next_change"] == "2020-01-26T17:59:00Z"
    assert shot["featured"]["title"].startswith("Foreign Minister Sergey Lavrov’s remarks")
    assert "Burundi" in shot["featured"]["title"]
    assert len(shot["latest"]) == 10


def test_cli_snapshot_text(runner):
    result = runner.invoke(args=["snapshot", "--at", "2020-01-26T17:58:00Z"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:6] == TOP_LINES


def test_page_shows_everything_the_capture_shows(client, at_reference):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert missing_lines(html, (*TOP_LINES, "all messages")) == []
    # The featured statement in full, then the ten listed ones in the capture's order.
    text = visible_text(html)
    assert "Good afternoon," in text
    assert "10-kilomere border line in the 30-kilometre buffer zone." in text
    assert listed_dates(html) == LISTED_DATES


def test_every_reference_line_appears_on_the_page(client, at_reference):
    """Line by line, the captured text is on our page (whitespace folded)."""
    assert missing_capture_lines(client.get("/").get_data(as_text=True)) == []
