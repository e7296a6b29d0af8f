"""What every entity's schema is made of.

A Field is one key: its kind (the type check, and how a form's text or JSON becomes a value),
whether it is required, its default, its own checks, and how it goes out to a form, JSON and
an export. An Entity is its fields in the order they are read, every problem kept: a site
file's table, a form's values and a JSON body all go through `Entity.read`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from dashboard.content.schema.forms import Form, Widget, widget


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()  # a key that was not given, or whose value could not be read

# In the export: every time, only when set (not empty, not false, not None), or only when it
# is not the field's default (a choice whose default is a word).
ALWAYS, IF_SET, UNLESS_DEFAULT = "always", "if set", "unless default"


class FieldErrors(ValueError):
    """One record (a form, a JSON body) that fails its checks: messages per key."""

    def __init__(self, fields: dict[str, list[str]]):
        self.fields = fields
        super().__init__(
            "; ".join(
                f"{key}: {message}" for key, messages in fields.items() for message in messages
            )
        )


class Problems:
    """Every problem found, each with where it is (and in a site file its line, where it can
    be found), and the same messages by key, for forms and JSON."""

    def __init__(self, text: str = ""):
        self.lines = text.splitlines()
        self.problems: list[str] = []
        self.fields: dict[str, list[str]] = {}

    def add(self, where: str, message: str, hint: object = None, key: str = "") -> None:
        line = self._line_of(hint)
        prefix = f"line {line}: " if line else ""
        self.problems.append(f"{prefix}{where}: {message}")
        self.fields.setdefault(key or "_", []).append(message)

    def _line_of(self, hint: object) -> int | None:
        """Best-effort line number: the first line showing the offending value."""
        if hint is None:
            return None
        needle = hint.isoformat() if isinstance(hint, dt.date) else str(hint)
        for number, line in enumerate(self.lines, start=1):
            if needle and needle in line:
                return number
        return None

    def unknown_keys(self, table: Mapping, allowed: Iterable[str], where: str) -> None:
        allowed = sorted(allowed)
        for key in sorted(set(table) - set(allowed)):
            message = f"unknown key '{key}' (allowed: {', '.join(allowed)})"
            self.add(where, message, key, key=key)

    def raise_any(self) -> None:
        if self.problems:
            raise FieldErrors(self.fields)


@dataclasses.dataclass(frozen=True)
class Context:
    """What a record's defaults and checks may depend on: the site's zone and language, and
    the topics statements may name."""

    timezone: str = "UTC"
    locale: str = "en"
    # The declared topics as (slug, name), in order; None where they are not known, and so not
    # checked (the write that stores a statement always knows them).
    topics: tuple[tuple[str, str], ...] | None = None

    @classmethod
    def of(cls, site, topics: Iterable[tuple[str, str]] | None = None) -> Context:
        return cls(site.timezone, site.locale, None if topics is None else tuple(topics))


# A check looks at a value that has its kind's type and says what is wrong with it, if anything.
Check = Callable[[Any], str | None]


class Kind:
    """A field's type: reading a given value, and the value from and to a form and JSON."""

    example = ""  # said when a required key is missing, e.g. "a date such as 2018-03-04"
    none_is_missing = False  # a null (JSON) counts as not given

    def read(self, problems: Problems, field: Field, value: Any, where: str, context) -> Any:
        """The value if it has the right type; otherwise a problem and MISSING."""
        return value

    def from_form(self, form: Mapping, field: Field, context: Context) -> Any:
        """What the form sent; FieldErrors (naming the field) if it cannot be read at all."""
        return form.get(field.form_name, "")

    def to_form(self, field: Field, value: Any, context: Context) -> Any:
        return "" if value is None else value

    def from_json(self, value: Any, context: Context) -> Any:
        return value

    def to_json(self, value: Any) -> Any:
        return value

    def widget(self, field: Field, context: Context) -> Widget:
        return widget(field.form, field.form_name, field.required, context)


@dataclasses.dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    required: bool = False
    default: Any = ""
    # A default that depends on the site or on fields read before: (context, values) -> value.
    fallback: Callable[[Context, dict], Any] | None = None
    checks: tuple[Check, ...] = ()
    export: str = ALWAYS
    form: Form | None = None  # None: not on the admin's form
    public: bool = True  # in the API's JSON for every reader, not only for writers

    @property
    def form_name(self) -> str:
        return (self.form and self.form.name) or self.name

    def missing(self) -> str:
        example = f" ({self.kind.example})" if self.kind.example else ""
        return f"missing required key '{self.name}'{example}"

    def read(self, problems: Problems, table: Mapping, where: str, context, values) -> Any:
        given = table.get(self.name, MISSING)
        if given is None and self.kind.none_is_missing:
            given = MISSING
        if given is MISSING:
            if self.required:
                problems.add(where, self.missing(), key=self.name)
            value = MISSING
        else:
            value = self.kind.read(problems, self, given, where, context)
        if value is MISSING:
            value = self.fallback(context, values) if self.fallback else self.default
        for check in self.checks:
            message = check(value)
            if message:
                problems.add(where, message, value, key=self.name)
        return value

    def exported(self, value: Any) -> bool:
        if self.export == UNLESS_DEFAULT:
            return value != self.default
        return self.export == ALWAYS or bool(value)


def _value(row, name: str) -> Any:
    try:
        return getattr(row, name)
    except AttributeError:
        return row.extra[name]


@dataclasses.dataclass(frozen=True)
class Entity:
    name: str  # "counter"
    fields: tuple[Field, ...]  # in the order they are read: a default may use those before it
    key: str = ""  # unique: what the site file upserts by and messages name a row by
    label_rows: bool = False  # after the key, problems say whose they are: counters[2] ('x')
    export_order: tuple[str, ...] = ()  # when the export's order is not the fields'
    form_order: tuple[str, ...] = ()  # likewise the form's
    computed: frozenset[str] = frozenset()  # in its JSON, made from the fields; ignored on input
    # Checks across fields: (values) -> (key, message) when the record is wrong as a whole.
    rules: tuple[Callable[[dict], tuple[str, str] | None], ...] = ()

    def __post_init__(self):
        if len(set(self.names)) != len(self.names):
            raise ValueError(f"{self.name}: two fields have one name: {self.names}")
        # An order that left a field out would drop it from every export, or from the form.
        on_form = {f.name for f in self.fields if f.form is not None}
        for order, wanted in ((self.export_order, set(self.names)), (self.form_order, on_form)):
            if order and (len(order) != len(wanted) or set(order) != wanted):
                raise ValueError(f"{self.name}: {order} must name each of {sorted(wanted)} once")

    def field(self, name: str) -> Field:
        for field in self.fields:
            if field.name == name:
                return field
        raise KeyError(f"{self.name} has no field {name!r}")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    # -- in: a site file's table, a form's values, a JSON body --------------------------------
    def read(self, problems: Problems, table: Mapping, where: str, context=Context()) -> dict:
        """Every field's value (its default when not given), every problem in `problems`."""
        problems.unknown_keys(table, self.names, where)
        values: dict = {}
        for field in self.fields:
            values[field.name] = field.read(problems, table, where, context, values)
            if self.label_rows and field.name == self.key and values[field.name]:
                where = f"{where} ({values[field.name]!r})"
        for rule in self.rules:
            broken = rule(values)
            if broken:
                key, message = broken
                problems.add(where, message, values.get(key), key=key)
        return values

    def check(self, table: Mapping, context=Context()) -> dict:
        """One record's values, checked; FieldErrors names each bad key."""
        problems = Problems()
        values = self.read(problems, table, self.name, context)
        problems.raise_any()
        return values

    def refuse_unread(self, values: Mapping, unread: dict, context=Context()) -> None:
        """Values a form or JSON sent that could not be read (a date that is no date) are left
        out of `values`; refuse them together with every other field's problems."""
        if unread:
            problems = Problems()
            self.read(problems, values, self.name, context)
            raise FieldErrors({**problems.fields, **unread})

    def from_form(self, form: Mapping, context=Context()) -> tuple[dict, dict]:
        """The form's values for `read`, and the problems of those it could not read."""
        values, unread = {}, {}
        for field in self._on_form():
            try:
                value = field.kind.from_form(form, field, context)
            except FieldErrors as error:
                unread.update(error.fields)
                continue
            if value is not MISSING:
                values[field.name] = value
        return values, unread

    def from_json(self, data: Mapping, context=Context()) -> tuple[dict, dict]:
        """A JSON body's values for `read` (what it computes is ignored), and the problems of
        those it could not read."""
        values, unread = {}, {}
        for key, value in data.items():
            if key in self.computed:
                continue
            if key not in self.names:  # left for `read` to call unknown
                values[key] = value
                continue
            try:
                values[key] = self.field(key).kind.from_json(value, context)
            except FieldErrors as error:
                unread.update(error.fields)
        return values, unread

    # -- out ------------------------------------------------------------------------------------
    def stored(self, row) -> dict:
        """A row's values as `read` takes them (a PATCH starts from these)."""
        return {f.name: getattr(row, f.name) for f in self.fields}

    def export(self, row) -> dict:
        """A row as a site file's table."""
        fields = [self.field(n) for n in self.export_order] if self.export_order else self.fields
        values = ((f, getattr(row, f.name)) for f in fields)
        return {f.name: value for f, value in values if f.exported(value)}

    def to_json(self, row, writer: bool = False) -> dict:
        """The fields of a row, or of a snapshot's record of it (whose `extra` holds those it
        does not name), as JSON; the computed keys are the caller's to add."""
        fields = [f for f in self.fields if writer or f.public]
        return {f.name: f.kind.to_json(_value(row, f.name)) for f in fields}

    def form_values(self, row, context=Context()) -> dict:
        """What the form shows for a row, or for a new one (each field's initial value)."""
        shown = {}
        for field in self._on_form():
            if row is not None:
                value = getattr(row, field.name)
            else:
                value = field.form.initial
                if value is None:
                    continue
                value = value(context) if callable(value) else value
            shown[field.form_name] = field.kind.to_form(field, value, context)
        return shown

    def shown(self, values: Mapping, form: Mapping, context=Context()) -> dict:
        """A posted form shown again: what was read, and as typed what could not be."""
        return {
            field.form_name: field.kind.to_form(field, values[field.name], context)
            if field.name in values
            else form.get(field.form_name, "")
            for field in self._on_form()
        }

    def widgets(self, context=Context()) -> list[Widget]:
        """The form's fields, in order, for the admin's templates."""
        return [field.kind.widget(field, context) for field in self._on_form()]

    def _on_form(self) -> list[Field]:
        fields = [self.field(n) for n in self.form_order] if self.form_order else self.fields
        return [f for f in fields if f.form is not None]
