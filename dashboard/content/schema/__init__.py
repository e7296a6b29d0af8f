"""One schema per entity: its fields, their checks and defaults, and how it maps to the site
file, the admin's form, the API's JSON and the export. The site file's reader, the admin, the
API, feeds and the export all read and write an entity through its schema, so a new field is
the model, a migration, a Field here, and the template that shows it.

base.py has Field and Entity; kinds.py the kinds of value they share; forms.py how a field
appears on a form."""

from __future__ import annotations

from dashboard.content.schema.base import Context, Entity, Field, FieldErrors, Problems
from dashboard.content.schema.clock import CLOCK
from dashboard.content.schema.counter import COUNTER
from dashboard.content.schema.feed import FEED
from dashboard.content.schema.site import SITE
from dashboard.content.schema.statement import STATEMENT
from dashboard.content.schema.topic import TOPIC
from dashboard.content.schema.webhook import WEBHOOK

__all__ = [
    "CLOCK",
    "COUNTER",
    "FEED",
    "SITE",
    "STATEMENT",
    "TOPIC",
    "WEBHOOK",
    "Context",
    "Entity",
    "Field",
    "FieldErrors",
    "Problems",
]
