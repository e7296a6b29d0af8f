"""/admin, one module per area: access (sign in and out), language (the admin's own),
overview, statements, previews (links for journalists), ordered (counters and clocks), site,
feeds, webhooks and preview. The blueprint and what the areas share are in blueprint.py."""

from __future__ import annotations

from dashboard.web.admin import access as access
from dashboard.web.admin import audit_log as audit_log
from dashboard.web.admin import counters as counters
from dashboard.web.admin import feeds as feeds
from dashboard.web.admin import history as history
from dashboard.web.admin import language as language
from dashboard.web.admin import ordered as ordered
from dashboard.web.admin import overview as overview
from dashboard.web.admin import preview as preview
from dashboard.web.admin import previews as previews
from dashboard.web.admin import site as site
from dashboard.web.admin import statements as statements
from dashboard.web.admin import webhooks as webhooks
from dashboard.web.admin.blueprint import bp


def register(app) -> None:
    app.register_blueprint(bp)
