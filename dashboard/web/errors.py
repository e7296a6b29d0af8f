"""Errors that name the problem, as HTML for people and JSON under /api."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from dashboard.cache.live import StoreUnavailable
from dashboard.content.store import NotInitialised
from dashboard.web.params import BadParameter


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _error(status: int, title: str, message: str):
    if _wants_json():
        return jsonify(error=message), status
    html = render_template("public/error.html", status=status, title=title, message=message)
    return html, status, {"Cache-Control": "no-store"}


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return _error(error.code or 500, error.name, error.description or error.name)

    @app.errorhandler(BadParameter)
    def bad_parameter(error: BadParameter):
        return _error(400, "Bad request", str(error))

    @app.errorhandler(NotInitialised)
    def not_initialised(error: NotInitialised):
        return _error(503, "Not set up yet", f"The dashboard is not set up yet: {error}.")

    @app.errorhandler(sa.exc.OperationalError)
    @app.errorhandler(sa.exc.InterfaceError)
    def database_down(error: Exception):
        # Reads fall back to the last good content before getting here; this is a write, or a
        # read with nothing to fall back on.
        app.logger.error("database unavailable: %s", error)
        return _error(
            503,
            "Temporarily unavailable",
            "The database cannot be reached right now; nothing was changed. Try again shortly.",
        )

    @app.errorhandler(StoreUnavailable)
    def store_unavailable(error: StoreUnavailable):
        app.logger.error("store unavailable: %s", error)
        return _error(503, "Temporarily unavailable", "The database cannot be reached.")
