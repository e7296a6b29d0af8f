"""The reference capture of 26 January 2020, 17:58 London time, is the first test."""

from __future__ import annotations

import json
import re

from tests.helpers.reference import REFERENCE, visible_text

SALISBURY = (
    "693 days have passed since the Salisbury incident - no credible information or response "
    "from the British authorities"
)
GLUSHKOV = (
    "685 days have passed since the death of Nikolay Glushkov on British soil - no credible "
    "information or response from the British authorities"
)
# The capture's first lines: the date, the clocks, the contact line and the counters.
TOP_LINES = [
    "26 January 2020",
    "Moscow: 20:58",
    "London: 17:58",
    "Consular queries: +44 (0) 203 668 7474",
    SALISBURY,
    GLUSHKOV,
]
LISTED_DATES = [
    "16.01.2020", "15.01.2020", "14.01.2020", "14.01.2020", "19.12.2019",
    "18.12.2019", "06.12.2019", "29.11.2019", "28.11.2019", "21.11.2019",
]  # fmt: skip


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
    text = visible_text(response.get_data(as_text=True))
    for expected in (*TOP_LINES, "all messages"):
        assert expected in text, expected
    # The featured statement in full, then the ten listed ones in the capture's order.
    assert "Good afternoon," in text
    assert "10-kilomere border line in the 30-kilometre buffer zone." in text
    assert re.findall(r"\d\d\.\d\d\.\d{4}(?= - )", text) == LISTED_DATES


def test_every_reference_line_appears_on_the_page(client, at_reference):
    """Line by line, the captured text is on our page (whitespace folded)."""
    capture = REFERENCE.read_text(encoding="utf-8")
    page = visible_text(client.get("/").get_data(as_text=True))
    missing = []
    for line in capture.splitlines():
        line = re.sub(r"\s+", " ", line).strip()
        # The capture runs both counters into one line; each is checked above.
        if not line or line.startswith("693 days"):
            continue
        line = line.replace("Consular queries: ", "Consular queries:")
        if line not in page.replace("Consular queries: ", "Consular queries:"):
            missing.append(line[:80])
    assert missing == []
