"""Fields that more than one entity has, defined once."""

from __future__ import annotations

from dashboard.content.schema.base import Field
from dashboard.content.schema.forms import Form
from dashboard.content.schema.kinds import Text, known_zone


def zone_field(help: str, **options) -> Field:
    """`timezone`: an IANA name, picked from the zones' list on the form."""
    form = Form("Time zone", help=help, datalist="zones")
    return Field("timezone", Text(strip=True), checks=(known_zone,), form=form, **options)
