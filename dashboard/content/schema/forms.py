"""How a field appears on the admin's form. The templates draw each Widget with the macros in
templates/admin/_fields.html, so a new field is on the form once its schema says how."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from dashboard.i18n.interface import gettext as _

Options = Callable[[Any], list[tuple[str, str]]]  # (context) -> [(value, text)]


@dataclasses.dataclass(frozen=True)
class Form:
    label: str
    # An <input> type, or "textarea", "checkbox", "select"; a kind may draw its own.
    input: str = "text"
    # The label, help and a fixed list's texts are English msgids, translated when drawn (into
    # the admin's language), so every entity's form follows it.
    help: str = ""  # "{timezone}" stands for the site's zone
    required: bool | None = None  # the browser's mark; None: when the field is required
    attrs: tuple[tuple[str, str], ...] = ()
    datalist: str = ""  # suggestions after the input: "zones" or "languages"
    rows: int = 4
    options: tuple[tuple[str, str], ...] | Options = ()
    name: str = ""  # the form's name for the field, when it is not the field's own
    initial: Any = None  # a new row's value, or a function (context) -> value
    strip: bool = False  # the text a form sends is stripped before the checks


@dataclasses.dataclass(frozen=True)
class Widget:
    """A field as the templates draw it: everything resolved for this site."""

    name: str
    label: str
    input: str
    help: str
    required: bool
    attrs: dict[str, str]
    datalist: str
    rows: int
    options: list[tuple[str, str]]
    parts: tuple[tuple[str, str], ...] = ()  # (key, label) of each part, for a kind with several


def widget(form: Form, name: str, required: bool, context, **changes) -> Widget:
    attrs = {"list": form.datalist} if form.datalist else {}
    if callable(form.options):  # the site's own data (topics, languages): not translated
        options = form.options(context)
    else:
        options = [(value, _(text)) for value, text in form.options]
    made = Widget(
        name=name,
        label=_(form.label),
        input=form.input,
        help=_(form.help).replace("{timezone}", context.timezone),
        required=required if form.required is None else form.required,
        attrs={**attrs, **dict(form.attrs)},
        datalist=form.datalist,
        rows=form.rows,
        options=options,
    )
    if "parts" in changes:
        changes["parts"] = tuple((key, _(label)) for key, label in changes["parts"])
    return dataclasses.replace(made, **changes)
