"""Whole numbers read from text: query parameters, form fields, settings and headers.

ASCII digits only. `str.isdigit` and `int()` also take '²', '٣', ' +3' and '3_000', and a
long run of digits costs int() seconds, so a number longer than its maximum is refused first.
"""

from __future__ import annotations

import re

DIGITS = re.compile(r"[0-9]+")  # not \d, which is any Unicode digit
LONGEST_UNBOUNDED = 18  # digits taken when no maximum is given: beyond any real count


def whole_number(text: str, minimum: int = 0, maximum: int | None = None) -> int | None:
    """`text` as a whole number from minimum to maximum, or None when it is not one."""
    if not DIGITS.fullmatch(text):
        return None
    longest = LONGEST_UNBOUNDED if maximum is None else len(str(maximum))
    if len(text.lstrip("0")) > longest:
        return None
    number = int(text)
    if number < minimum or (maximum is not None and number > maximum):
        return None
    return number
