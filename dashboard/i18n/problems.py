"""A record's problems in the admin's language. The checks (content/schema) word them in
English, as the JSON API and the site file show them; each pattern below is one of those
sentences with its values as placeholders, so the admin can find its translation and fill the
same values back in. A sentence no pattern matches is shown as it is, in English."""

from __future__ import annotations

import re
from functools import cache

from dashboard.i18n import interface
from dashboard.i18n.interface import N_

PATTERNS = (
    N_("'%(key)s' must not be empty"),
    N_("'%(key)s' must be true or false"),
    N_("'%(key)s' must not contain a NUL character"),
    N_("'%(key)s' must be a calendar date such as 2018-03-04"),
    N_("'%(key)s' must be a date or an RFC 3339 date-time"),
    N_("'%(key)s' needs a UTC offset, e.g. 'Z' or '+03:00'"),
    N_("'expires' must be later than 'published'"),
    N_("'source_url' must be an http:// or https:// address"),
    N_("must be an http:// or https:// address"),
    N_("timezone %(value)s is not a known IANA time zone"),
    N_("slug %(value)s must be lower-case letters, digits and hyphens"),
    N_("the slug %(value)s is already used"),
    N_("the %(key)s %(value)s is already used"),
    N_("'latest_count' must be a whole number, 0 or more (at most %(most)s)"),
    N_("must be a whole number of minutes from %(low)s to %(high)s"),
    # a counter's reset (content/resets.py)
    N_("%(value)s is not a date such as 2018-03-04"),
    N_("missing 'on': the date the run ends, such as 2018-03-04"),
    N_(
        "%(on)s is before the current run began (%(since)s): a reset cannot end it before it "
        "started"
    ),
    N_("%(on)s is in the future: today is %(today)s in %(zone)s"),
    N_("'reason' must not be empty: say why the counter starts again"),
    N_("'reason' may have at most %(most)s characters"),
    N_("there is no statement %(value)s"),
    N_("the statement %(value)s is a draft: publish it first"),
    N_("statement %(value)s must be lower-case letters, digits and hyphens"),
    N_("'since' (%(since)s) is before the last earlier run ended (%(end)s)"),
    # A counter's reading and milestones (schema/reading.py).
    N_("display %(value)s must be one of %(choices)s"),
    N_("calendar %(value)s is not a country the holidays calendar knows (e.g. GB, RU, GB-SCT)"),
    N_('\'calendar\' is required with display = "working-days" (e.g. "GB")'),
    N_("'%(key)s' must be a list of whole numbers of days, each 1 or more"),
    N_("'%(key)s' may list at most %(most)s"),
    N_("%(value)s is not a whole number of days (e.g. 100, 500, 1000)"),
    N_("'every' must be a whole number of days, 1 or more"),
    # webhooks
    N_("'url' must be an http:// or https:// address"),
    N_("'url' must not hold a user name or password (sign with the secret instead)"),
    N_(
        "'url' points at %(address)s, which is not a public address "
        "(set WEBHOOK_ALLOW_PRIVATE=1 to allow private networks)"
    ),
    N_("'url' is not a valid address (%(error)s)"),
    N_("'url' must be at most %(most)s characters"),
    N_("'url' must not name port 0"),
    N_("'secret' must start with whsec_ followed by base64 (Standard Webhooks)"),
    N_("'secret' must be whsec_ followed by the base64 of %(low)s to %(high)s bytes"),
    N_("'events': unknown event %(value)s (known: %(known)s)"),
    N_("'events' must name at least one event"),
    N_("'events' must be a list of event names"),
)


@cache
def _compiled() -> tuple[tuple[re.Pattern, str], ...]:
    made = []
    for pattern in PATTERNS:
        parts = re.split(r"%\((\w+)\)s", pattern)  # text, name, text, name, ...
        regex = "".join(
            re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)
        )
        made.append((re.compile(f"^{regex}$"), pattern))
    return tuple(made)


def translate(message: str) -> str:
    for regex, pattern in _compiled():
        found = regex.match(message)
        if found:
            return interface.gettext(pattern, **found.groupdict())
    return message


def translate_all(fields: dict[str, list[str]]) -> dict[str, list[str]]:
    return {key: [translate(message) for message in messages] for key, messages in fields.items()}
