"""/board: the dashboard full-screen, for a screen in a lobby."""

from __future__ import annotations

from dashboard.cache import live
from dashboard.web.board import views


def register(app) -> None:
    live.pages_of(app).register_family(views.usual_boards)
    app.register_blueprint(views.bp)
