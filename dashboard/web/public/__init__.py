"""The page, its live block, the archive and the statements' own pages."""

from __future__ import annotations

from dashboard.cache import live
from dashboard.web.public import counters, views


def register(app) -> None:
    live.pages_of(app).register_family(views.usual_pages)
    live.pages_of(app).register_family(counters.usual_counter_pages)
    app.register_blueprint(views.bp)
