"""The JSON API. Writes take a bearer token, which browsers never send on their own, so the
API is exempt from CSRF; the session cookie is never accepted here."""

from __future__ import annotations

from dashboard.cache import live
from dashboard.web.api.v1 import snapshot
from dashboard.web.api.v1 import statements as statements
from dashboard.web.api.v1.blueprint import bp


def register(app) -> None:
    app.extensions[live.EXTENSION].register_family(snapshot.usual_snapshots)
    app.extensions["csrf"].exempt(bp)
    app.register_blueprint(bp)
