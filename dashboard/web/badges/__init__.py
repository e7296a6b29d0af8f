"""Badges: a counter's days as an SVG (drawn in svg.py) or shields.io endpoint JSON."""

from __future__ import annotations

from dashboard.cache import live
from dashboard.web.badges import views


def register(app) -> None:
    app.extensions[live.EXTENSION].register_family(views.usual_badges)
    app.register_blueprint(views.bp)
