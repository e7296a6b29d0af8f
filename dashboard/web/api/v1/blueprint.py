"""/api/v1: JSON, apart from the HTML routes. Errors are JSON that names the problem."""

from __future__ import annotations

from flask import Blueprint, jsonify

bp = Blueprint("api", __name__, url_prefix="/api/v1")


class ApiError(Exception):
    def __init__(self, status: int, message: str, fields: dict | None = None, headers=None):
        self.status, self.message, self.fields, self.headers = status, message, fields, headers
        super().__init__(message)


@bp.errorhandler(ApiError)
def api_error(error: ApiError):
    body = {"error": error.message}
    if error.fields:
        body["fields"] = error.fields
    return jsonify(body), error.status, error.headers or {}
