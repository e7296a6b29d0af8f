"""The kinds of value a setting read from the environment can take. Each kind turns the text
into the value, or refuses it with a message that says what was expected; config.py names
the variable. Each kind also carries an example it refuses, which the tests try on every
setting."""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa

from dashboard.core import numbers

DECIMAL = re.compile(r"[0-9]+(\.[0-9]+)?")
TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")
SRI = re.compile(r"(sha256|sha384|sha512)-[A-Za-z0-9+/]+={0,2}")
# What a URL may hold once it is written into an attribute: no spaces, quotes or controls.
URL_CHARACTERS = re.compile(r"[!#-&(-;=?-~]+")


class BadValue(ValueError):
    """A kind refused a value; str() finishes the sentence "NAME …"."""

    def __init__(self, expected: str, text: str, reason: str, secret: bool):
        self.reason = reason
        if reason:
            super().__init__(f"must be {expected}: {reason}")
        elif secret:  # a password in a URL, a key: never echoed into a log
            super().__init__(f"must be {expected}; the value given is not")
        else:
            super().__init__(f"must be {expected}, not {text!r}")


@dataclasses.dataclass(frozen=True)
class Kind:
    """`parse` gets the text and returns the value, or raises ValueError (with a reason, or
    an empty message when `expected` says it all)."""

    expected: str  # finishes "NAME must be …"
    parse: Callable[[str], Any]
    example: str  # a value it takes
    bad_example: str  # and one it refuses
    secret: bool = False

    def __call__(self, text: str) -> Any:
        try:
            return self.parse(text)
        except ValueError as error:
            raise BadValue(self.expected, text, str(error), self.secret) from None


def _refuse(reason: str = "") -> ValueError:
    return ValueError(reason)


def whole_number(minimum: int = 0, maximum: int | None = None) -> Kind:
    """ASCII digits only: int() would also take '٣', ' +3' and '3_000'."""
    if maximum is None:
        expected = f"a whole number ≥ {minimum}"
    else:
        expected = f"a whole number from {minimum} to {maximum}"

    def parse(text: str) -> int:
        number = numbers.whole_number(text.strip(), minimum, maximum)
        if number is None:
            raise _refuse()
        return number

    return Kind(expected, parse, example=str(minimum), bad_example="two")


def seconds(whole: bool = False) -> Kind:
    """A duration above zero; `whole` for those that end up in max-age."""
    expected = "a whole number of seconds > 0" if whole else "a number of seconds > 0"

    def parse(text: str) -> int | float:
        cleaned = text.strip()
        if whole:
            value = numbers.whole_number(cleaned)
        elif DECIMAL.fullmatch(cleaned):  # float() alone takes 'nan', 'inf' and '1e99'
            value = float(cleaned)
        else:
            value = None
        if value is None:
            raise _refuse()
        if value <= 0:
            raise _refuse()
        return value

    return Kind(expected, parse, example="30", bad_example="an hour")


def boolean() -> Kind:
    def parse(text: str) -> bool:
        word = text.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise _refuse()

    return Kind("true or false (or 1/0, yes/no, on/off)", parse, "true", bad_example="maybe")


def choice(*options: str) -> Kind:
    """One of a few words, in any case; the value is the option as written here."""
    by_word = {option.lower(): option for option in options}

    def parse(text: str) -> str:
        try:
            return by_word[text.strip().lower()]
        except KeyError:
            raise _refuse() from None

    return Kind("one of " + ", ".join(options), parse, options[0], bad_example="bogus")


def script_url() -> Kind:
    """Where a page loads a script from: an http(s) URL, or a path on this site."""

    def parse(text: str) -> str:
        cleaned = text.strip()
        if not URL_CHARACTERS.fullmatch(cleaned):
            raise _refuse()
        parts = urlsplit(cleaned)
        if parts.scheme in ("http", "https") and parts.netloc:
            return cleaned
        if not parts.scheme and (cleaned.startswith("/") or parts.netloc):
            return cleaned  # /static/htmx.min.js, or //cdn.example/htmx.min.js
        raise _refuse()

    return Kind(
        "an http(s) URL or a path on this site starting with /",
        parse,
        example="https://example.org/static/htmx.min.js",
        bad_example="javascript:alert(1)",
    )


def integrity() -> Kind:
    def parse(text: str) -> str:
        cleaned = text.strip()
        if cleaned and not all(SRI.fullmatch(part) for part in cleaned.split()):
            raise _refuse()
        return cleaned

    return Kind(
        "an SRI hash such as sha384-… (or empty, for no check)",
        parse,
        example="sha384-2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg",
        bad_example="md5-abc",
    )


def database_url() -> Kind:
    """Parsed by SQLAlchemy, and its kind of database known; never echoed (a password)."""

    def parse(text: str) -> str:
        cleaned = text.strip()
        try:
            url = sa.engine.make_url(cleaned)
        except sa.exc.ArgumentError:
            raise _refuse() from None
        try:
            url.get_dialect()
        except sa.exc.NoSuchModuleError:
            raise _refuse(f"SQLAlchemy knows no database called {url.drivername!r}") from None
        return cleaned

    return Kind(
        "a database URL such as sqlite:////var/lib/dashboard/dashboard.sqlite3 or "
        "postgresql+psycopg://user@host/db",
        parse,
        example="sqlite:///dashboard.sqlite3",
        bad_example="dashboard.sqlite3",
        secret=True,
    )


def secret(min_length: int) -> Kind:
    """Empty is the same as unset (an env file's `SECRET_KEY=`); short is refused."""

    def parse(text: str) -> str | None:
        if not text.strip():
            return None
        if len(text) < min_length:
            raise _refuse(f"it has {len(text)} characters")
        return text

    return Kind(
        f"at least {min_length} characters (32 random ones or more are best)",
        parse,
        example="x" * min_length,
        bad_example="short",
        secret=True,
    )


def folder() -> Kind:
    """A folder path, made absolute from the working directory."""

    def parse(text: str) -> str:
        if not text.strip():
            raise _refuse()
        return os.path.abspath(text)

    return Kind("a folder path", parse, example="/var/lib/dashboard", bad_example="")


def checked_text(expected: str, check: Callable[[str], Any], example: str, bad: str) -> Kind:
    """Text kept as it is, once `check` (which raises ValueError saying why) accepts it."""

    def parse(text: str) -> str:
        check(text)
        return text

    return Kind(expected, parse, example=example, bad_example=bad)
