"""Reading query parameters: one parser per kind of value, each error naming the parameter.

Every route that reads its query string declares it here, as a Query beside the view: the
parameters it reads and how. Nothing else reads `request.args` (a test checks), so REGISTRY
says, per endpoint, every parameter there is; the tests send hostile values to each of them.

Whole numbers are ASCII digits only: `str.isdigit` and `int()` also take '²' and '٣'.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from typing import Any, NamedTuple

from flask import request
from werkzeug.datastructures import MultiDict
from werkzeug.routing import IntegerConverter, Map, UnicodeConverter
from werkzeug.wrappers import Request

from dashboard.core import timecalc
from dashboard.core.numbers import whole_number


class BadParameter(ValueError):
    """A query parameter that cannot be used; the message names it."""


# Row ids are PostgreSQL `integer`s (SQLite's are wider): no cursor may name a larger one.
MAX_ROW_ID = 2**31 - 1
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class Parameter:
    """One kind of value. `parse` gets the given text, stripped and never empty (an empty or
    missing parameter takes `default`); it raises BadParameter naming `name`."""

    default: Any = None

    def parse(self, name: str, text: str) -> Any:
        return text

    def read(self, args: MultiDict, name: str) -> Any:
        text = args.get(name, "").strip()
        return self.parse(name, text) if text else self.default


class Whole(Parameter):
    def __init__(self, minimum: int, maximum: int, default: int | None = None, unit: str = ""):
        self.minimum, self.maximum, self.default = minimum, maximum, default
        self.unit = f" {unit}" if unit else ""

    def parse(self, name: str, text: str) -> int:
        number = whole_number(text, self.minimum, self.maximum)
        if number is None:
            raise BadParameter(
                f"'{name}' must be a whole number{self.unit} from {self.minimum} to "
                f"{self.maximum}, not {text!r}"
            )
        return number


class OneOf(Parameter):
    """One of `options` (a collection that may grow, such as the languages). `lenient`: an
    unknown value counts as not given (a public page's ?lang= falls back to the reader's)."""

    def __init__(self, options: Collection[str], default: str | None = None, lenient=False):
        self.options, self.default, self.lenient = options, default, lenient

    def parse(self, name: str, text: str) -> str | None:
        if text in self.options:
            return text
        if self.lenient:
            return self.default
        raise BadParameter(f"'{name}' must be one of {', '.join(self.options)}, not {text!r}")


class Flag(Parameter):
    default = False

    def parse(self, name: str, text: str) -> bool:
        if text not in ("0", "1"):
            raise BadParameter(f"'{name}' must be 1 or 0, not {text!r}")
        return text == "1"


class Text(Parameter):
    """Text up to `max_length` characters, without control characters; `pattern`, if given,
    must match all of it (`example` says what it looks like)."""

    def __init__(self, max_length: int, pattern: str | None = None, example: str = ""):
        self.max_length, self.example = max_length, example
        self.pattern = re.compile(pattern) if pattern else None

    def parse(self, name: str, text: str) -> str:
        if len(text) > self.max_length:
            raise BadParameter(f"'{name}' may have at most {self.max_length} characters")
        if CONTROL.search(text) or (self.pattern and not self.pattern.fullmatch(text)):
            like = f" such as {self.example}" if self.example else ""
            raise BadParameter(f"'{name}' must be plain text{like}, not {text!r}")
        return text


class Verbatim(Parameter):
    """Text as given, up to `max_length` characters: None when absent, "" when empty. What it
    may hold is the caller's to clean (a badge's label drops what XML cannot carry)."""

    def __init__(self, max_length: int):
        self.max_length = max_length

    def read(self, args: MultiDict, name: str) -> str | None:
        text = args.get(name)
        if text is not None and len(text) > self.max_length:
            raise BadParameter(f"'{name}' may have at most {self.max_length} characters")
        return text


class Instant(Parameter):
    """An RFC 3339 date-time, e.g. 2020-01-26T17:58:00Z, in the years the dashboard accepts."""

    def parse(self, name: str, text: str) -> dt.datetime:
        try:
            return timecalc.parse_instant(text)
        except timecalc.TimeError as error:
            raise BadParameter(f"'{name}': {error}") from None


# An archive cursor is "(published)_(id)" of the last row shown: keyset paging.
Cursor = tuple[dt.datetime, int]


def format_cursor(cursor: Cursor) -> str:
    published, row_id = cursor
    return f"{timecalc.format_instant(published)}_{row_id}"


class CursorParameter(Parameter):
    def parse(self, name: str, text: str) -> Cursor:
        instant, _, row_text = text.rpartition("_")
        row_id = whole_number(row_text, 0, MAX_ROW_ID)
        try:
            published = timecalc.parse_instant(instant)
        except timecalc.TimeError as error:
            problem = str(error)
        else:
            if row_id is not None:
                return published, row_id
            problem = f"the number after '_' must be from 0 to {MAX_ROW_ID}"
        raise BadParameter(
            f"'{name}' must look like 2020-01-16T00:00:00Z_42 (as the 'older' link gives), "
            f"not {text!r}: {problem}"
        )


# A topic, by the slug statements name it by (letters as content/schema/kinds.py's SLUG).
TOPIC = Text(200, pattern=r"[a-z0-9][a-z0-9-]*", example="osce")


def known_topic(content, name: str, slug: str) -> None:
    """BadParameter naming `name` unless `content` (the stored SiteContent) has the topic."""
    if content.topic(slug) is None:
        raise BadParameter(f"'{name}': there is no topic {slug!r}")


class RankCursor(NamedTuple):
    """A search's cursor, "r(score)_(id)": the score and id of the last statement shown."""

    score: int
    row_id: int


def format_rank_cursor(cursor: tuple[int, int]) -> str:
    return f"r{cursor[0]}_{cursor[1]}"


MAX_SCORE = 2**62


class ListCursor(CursorParameter):
    """`before` on a list that may be a search: the archive's cursor in date order, or a
    search's RankCursor (the caller checks that it is the kind its list has)."""

    def parse(self, name: str, text: str) -> Cursor | RankCursor:
        if not text.startswith("r"):
            return super().parse(name, text)
        score_text, _, row_text = text[1:].partition("_")
        score = whole_number(score_text, 0, MAX_SCORE)
        row_id = whole_number(row_text, 0, MAX_ROW_ID)
        if score is None or row_id is None:
            raise BadParameter(
                f"'{name}' must look like r1234_42 (as a search's 'older' link gives), not {text!r}"
            )
        return RankCursor(score, row_id)


class Names(Parameter):
    """Names in one or more values, each comma-separated unless `split` is false (a form's
    check boxes): None when the parameter is absent, and a list (perhaps empty: "counters="
    chooses nothing) when it is there."""

    def __init__(self, split: bool = True):
        self.split = split

    def read(self, args: MultiDict, name: str) -> list[str] | None:
        if name not in args:
            return None
        values = args.getlist(name)
        if not self.split:
            return values
        return [part.strip() for value in values for part in value.split(",") if part.strip()]


class Query:
    """The query parameters the views of `endpoints` read, by name."""

    def __init__(self, *endpoints: str, **parameters: Parameter):
        self.parameters = parameters
        self.defaults = {name: p.read(MultiDict(), name) for name, p in parameters.items()}
        for endpoint in endpoints:
            if endpoint in REGISTRY:
                raise RuntimeError(f"{endpoint} declares its query twice")
            REGISTRY[endpoint] = self

    def parse(self, args: MultiDict) -> dict[str, Any]:
        """The values, or BadParameter naming the first parameter that cannot be used."""
        if not args:
            return dict(self.defaults)
        return {name: parameter.read(args, name) for name, parameter in self.parameters.items()}

    def read(self) -> dict[str, Any]:
        """This request's values. Every public request comes here: without a query string,
        the arguments are not even parsed."""
        return self.read_from(request)

    def read_from(self, req: Request) -> dict[str, Any]:
        """read(), for any werkzeug request (the WSGI fast path's, made from the environ)."""
        if not req.environ.get("QUERY_STRING"):
            return dict(self.defaults)
        return self.parse(req.args)

    def knows_all(self, req: Request) -> bool:
        """Whether the request gives no parameter but these."""
        return not req.environ.get("QUERY_STRING") or req.args.keys() <= self.parameters.keys()

    def raw(self, name: str) -> str:
        """A parameter's text as the request gave it, for a cache key once it has been read."""
        assert name in self.parameters, name
        return request.args.get(name, "")


class RowIdConverter(IntegerConverter):
    """`<int:…>` in a route: a row id, so at most MAX_ROW_ID; a larger one is a 404 like any
    id that is not there, rather than an overflow in the database."""

    def __init__(self, map: Map, *args, **kwargs) -> None:
        super().__init__(map, *args, **{"min": 1, "max": MAX_ROW_ID, **kwargs})


class PlainTextConverter(UnicodeConverter):
    """`<slug>` and every other text in a route: no control characters (PostgreSQL refuses a
    NUL in a query, which would be a 500). A path holding one matches no route: a 404."""

    def __init__(self, map: Map, *args, **kwargs) -> None:
        super().__init__(map, *args, **kwargs)
        self.regex = self.regex.replace("[^/]", r"[^/\x00-\x1f\x7f]", 1)


# Endpoint -> the Query its view reads. An endpoint not here reads no query parameter.
REGISTRY: dict[str, Query] = {}
