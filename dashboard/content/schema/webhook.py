"""A webhook: the [[webhooks]] of a site file, /admin/webhooks, and the export (which carries
the secret, so that the export loads back into a site whose receivers still verify it)."""

from __future__ import annotations

import base64
import binascii
import re
import secrets

from dashboard.content.schema.base import MISSING, Entity, Field
from dashboard.content.schema.forms import Form, widget
from dashboard.content.schema.kinds import Boolean, Kind, Text
from dashboard.webhooks import guard

MAX_URL = 2000  # the column's length
EVENTS = ("statement.published", "counter.milestone", "counter.reset")
SECRET_PREFIX = "whsec_"
SECRET_BYTES = (24, 64)  # Standard Webhooks: 24 to 64 bytes of key, base64 after whsec_
BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def masked(secret: str) -> str:
    """Enough to tell two secrets apart, nothing to sign with."""
    return f"{secret[: len(SECRET_PREFIX) + 4]}…" if secret else ""


def secret_problem(secret: str) -> str | None:
    if not secret:
        return None  # a missing one is the required check's to name
    if not secret.startswith(SECRET_PREFIX):
        return "'secret' must start with whsec_ followed by base64 (Standard Webhooks)"
    text = secret[len(SECRET_PREFIX) :]
    try:
        key = base64.b64decode(text, validate=True) if BASE64.fullmatch(text) else b""
    except binascii.Error:
        key = b""
    low, high = SECRET_BYTES
    if not low <= len(key) <= high:
        return f"'secret' must be whsec_ followed by the base64 of {low} to {high} bytes"
    return None


def webhook_address(url: str) -> str | None:
    if len(url) > MAX_URL:
        return f"'url' must be at most {MAX_URL} characters"
    problem = guard.url_problem(url, guard.private_allowed()) if url else None
    return f"'url' {problem}" if problem else None


class Secret(Text):
    """Never shown again on a form: an empty box keeps the stored secret (or, for a new
    webhook, makes one)."""

    def to_form(self, field, value, context):
        return ""


class Events(Kind):
    """events = ["statement.published"]: known event names, each once, at least one. On the
    form, a check box for each."""

    example = f"a list of events such as [{EVENTS[0]!r}]"
    none_is_missing = True

    def read(self, problems, field, value, where, context):
        key = field.name
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problems.add(where, f"'{key}' must be a list of event names", f"{key} =", key=key)
            return MISSING
        names: list[str] = []
        for name in (v.strip() for v in value):
            if name not in EVENTS:
                message = f"'{key}': unknown event {name!r} (known: {', '.join(EVENTS)})"
                problems.add(where, message, name, key=key)
            elif name not in names:
                names.append(name)
        if not value:
            problems.add(where, f"'{key}' must name at least one event", f"{key} =", key=key)
        return names

    def from_form(self, form, field, context):
        given = form.getlist(field.form_name) if hasattr(form, "getlist") else []
        return [name.strip() for name in given if name.strip()]

    def to_form(self, field, value, context):
        return list(value or [])

    def to_json(self, value):
        return list(value)

    def widget(self, field, context):
        return widget(field.form, field.form_name, True, context, options=[(e, e) for e in EVENTS])


WEBHOOK = Entity(
    name="webhook",
    key="url",
    fields=(
        Field(
            "url",
            Text(strip=True),
            required=True,
            checks=(webhook_address,),
            form=Form("Receiver address", input="url", required=True, help="http:// or https://"),
        ),
        Field(
            "secret",
            Secret(strip=True),
            required=True,
            checks=(secret_problem,),
            form=Form(
                "Secret",
                input="password",
                required=False,
                help="whsec_ followed by base64. Leave empty to keep the current one (or, "
                "for a new webhook, to have one made).",
                attrs=(("autocomplete", "off"),),
            ),
        ),
        Field(
            "events",
            Events(),
            required=True,
            form=Form("Events", input="checkboxes", help="Sent to this receiver."),
        ),
        Field(
            "enabled",
            Boolean(),
            default=True,
            form=Form("Enabled", input="checkbox", initial=True),
        ),
    ),
)
