"""Reading query parameters: each parser names the parameter it could not use."""

from __future__ import annotations

import datetime as dt

from dashboard.core import timecalc


class BadParameter(ValueError):
    """A query parameter that cannot be used; the message names it."""


# An archive cursor is "(published)_(id)" of the last row shown: keyset paging.
Cursor = tuple[dt.datetime, int]


def format_cursor(cursor: Cursor) -> str:
    published, row_id = cursor
    return f"{timecalc.format_instant(published)}_{row_id}"


def parse_cursor(text: str) -> Cursor:
    instant, _, row_id = text.rpartition("_")
    try:
        return timecalc.parse_instant(instant), int(row_id)
    except (timecalc.TimeError, ValueError):
        raise BadParameter(
            f"'before' must look like 2020-01-16T00:00:00Z_42 (as the 'older' link gives), "
            f"not {text!r}"
        ) from None
