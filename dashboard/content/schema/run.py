"""A counter's earlier run: [[counters.runs]] in the site file and the export, with the same
checks as a reset (content/resets.py) makes of the run it ends."""

from __future__ import annotations

from dashboard.content.schema.base import IF_SET, Entity, Field
from dashboard.content.schema.kinds import Date, Text, slug_pattern

REASON_MAX = 500  # characters: a line on the counter's page, not a statement


def reason_length(value) -> str | None:
    if isinstance(value, str) and len(value) > REASON_MAX:
        return f"'reason' may have at most {REASON_MAX} characters, not {len(value)}"
    return None


def statement_slug(value) -> str | None:
    message = slug_pattern(value)
    return message and message.replace("slug", "statement", 1)


def _in_order(values: dict) -> tuple[str, str] | None:
    start, end = values.get("from"), values.get("to")
    if start and end and end < start:
        return "to", f"'to' ({end}) is before 'from' ({start})"
    return None


RUN = Entity(
    name="run",
    fields=(
        Field("from", Date(), required=True, default=None),
        Field("to", Date(), required=True, default=None),
        Field("reason", Text(), required=True, checks=(reason_length,)),
        Field("statement", Text(strip=True), checks=(statement_slug,), export=IF_SET),
    ),
    rules=(_in_order,),
)


def as_columns(values: dict) -> dict:
    """A run read by RUN as the store's columns."""
    return {
        "start": values["from"],
        "end": values["to"],
        "reason": values["reason"],
        "statement": values["statement"] or "",
    }


def exported(row) -> dict:
    """A stored run as [[counters.runs]] holds it."""
    table = {"from": row.start, "to": row.end, "reason": row.reason}
    if row.statement:
        table["statement"] = row.statement
    return table


def order_problems(runs: list[dict], since) -> list[tuple[str, str]]:
    """(key, message) for runs (as columns, oldest first) that overlap one another or end
    after the current run began."""
    found = []
    for number, (before, after) in enumerate(zip(runs, runs[1:], strict=False), start=2):
        if after["start"] < before["end"]:
            found.append(
                ("from", f"run {number} starts ({after['start']}) before run {number - 1} ends "
                 f"({before['end']}); list them oldest first, without overlaps")
            )  # fmt: skip
    if runs and since is not None and runs[-1]["end"] > since:
        found.append(
            ("to", f"the last run ends ({runs[-1]['end']}) after 'since' ({since}), when the "
             "current run began")
        )  # fmt: skip
    return found
