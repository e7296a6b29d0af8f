"""Every English string the admin shows: Babel's extraction over its templates and code, and
the schema's form texts (labels, help, fixed options, the parts of a translations field)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.messages.extract import extract_from_dir

from dashboard.content import schema
from dashboard.content.schema import Context

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
METHODS = [("**.py", "python"), ("**.html", "jinja2.ext:babel_extract")]
# Where the admin's words are written; the public templates have their own test.
PLACES = ["templates/admin", "dashboard/web/admin", "dashboard/i18n"]  # i18n: problems.py
ENTITIES = ("STATEMENT", "COUNTER", "CLOCK", "TOPIC", "SITE", "FEED", "WEBHOOK")


def extracted() -> set[str | tuple[str, str]]:
    """Each msgid, or (singular, plural) for a plural."""
    found: set = set()
    for place in PLACES:
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / place, METHODS, keywords=KEYWORDS
        ):
            found.add(message if isinstance(message, str) else tuple(message[:2]))
    return {m for m in found if m}


def schema_texts() -> set[str]:
    texts: set[str] = set()
    context = Context(timezone="{timezone}")
    for name in ENTITIES:
        entity = getattr(schema, name, None)
        if entity is None:
            continue
        for field in entity._on_form():
            form = field.form
            texts |= {form.label, form.help}
            if not callable(form.options):
                texts |= {text for _value, text in form.options}
        for widget in entity.widgets(context):
            texts |= {label for _key, label in widget.parts}
    return {text for text in texts if text}


@cache  # extracting costs a quarter of a second; both tests read it
def all_msgids() -> frozenset:
    return frozenset(extracted() | schema_texts())
