"""Badges: a counter's days as an SVG (drawn in svg.py) or shields.io endpoint JSON."""

from __future__ import annotations

from dashboard.cache import live
from dashboard.web.badges import views


def register(app) -> None:
    live.pages_of(app).register_family(views.usual_badges)
    app.register_blueprint(views.bp)
