"""The one reader of whole numbers, which parameters, form fields, settings and feed headers
all use."""

import pytest

from dashboard.core.numbers import whole_number


@pytest.mark.parametrize(
    ("text", "minimum", "maximum", "expected"),
    [
        ("42", 0, None, 42),
        ("007", 0, 10, 7),
        ("0", 1, None, None),  # below the minimum
        ("11", 0, 10, None),  # above the maximum
        ("²", 0, None, None),  # str.isdigit takes it; int() then fails
        ("٣", 0, None, None),  # int() takes Arabic-Indic digits as 3
        (" 3", 0, None, None),
        ("+3", 0, None, None),
        ("3_000", 0, None, None),
        ("", 0, None, None),
        ("1" * 19, 0, None, None),  # longer than any count
        ("9" * 100_000, 0, 2**31 - 1, None),  # refused before int() sees it
    ],
)
def test_whole_numbers_are_ascii_digits_in_range(text, minimum, maximum, expected):
    assert whole_number(text, minimum, maximum) == expected
