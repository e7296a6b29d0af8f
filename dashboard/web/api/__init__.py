"""The JSON API. Writes take a bearer token, which browsers never send on their own, so the
API is exempt from CSRF; the session cookie is never accepted here."""

from __future__ import annotations

from dashboard.cache import live
from dashboard.web.api.v1 import counters as counters
from dashboard.web.api.v1 import snapshot
from dashboard.web.api.v1 import statements as statements
from dashboard.web.api.v1.blueprint import bp
from dashboard.web.auth import csrf


def register(app) -> None:
    live.pages_of(app).register_family(snapshot.usual_snapshots)
    csrf.exempt(bp)
    app.register_blueprint(bp)
