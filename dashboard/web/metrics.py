"""/metrics for Prometheus, and the hooks that count every request.

Who may scrape: a client connected from a loopback address (the direct peer, whatever
X-Forwarded-For says) whose request carries no forwarding header, so that a reverse proxy on
the same machine does not hand the page to the world; or anyone sending
`Authorization: Bearer <METRICS_TOKEN>`. A wrong or unexpected token gets 403; everyone else
404, as for a page that does not exist. Never cached.
"""

from __future__ import annotations

import hmac
import ipaddress
import time

from flask import Blueprint, Flask, Response, abort, current_app, g, request
from prometheus_client.exposition import choose_encoder

from dashboard.content.store import current_store
from dashboard.metrics import collect
from dashboard.metrics.instruments import UNMATCHED_ROUTE, observe_request

bp = Blueprint("metrics", __name__)

# Set by a proxy: a request carrying one came through it, whatever its direct peer.
FORWARDING_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")
PROXY_FIX_ORIGINAL = "werkzeug.proxy_fix.orig"  # ProxyFix keeps the peer it replaced here


def direct_peer(environ: dict) -> str:
    """The address of the connection itself: ProxyFix (PROXY_COUNT) replaces REMOTE_ADDR with
    a forwarded one and keeps the original aside."""
    original = environ.get(PROXY_FIX_ORIGINAL)
    if original is not None:
        return original.get("REMOTE_ADDR") or ""
    return environ.get("REMOTE_ADDR") or ""


def is_loopback(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_loopback


def bearer_token(environ: dict) -> str | None:
    scheme, _, token = (environ.get("HTTP_AUTHORIZATION") or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def scrape_allowed(environ: dict, configured_token: str | None) -> int | None:
    """None when this request may scrape, else the status that refuses it (403 or 404)."""
    token = bearer_token(environ)
    if token is not None:
        if configured_token and hmac.compare_digest(token.encode(), configured_token.encode()):
            return None
        return 403
    forwarded = any(environ.get(header) for header in FORWARDING_HEADERS)
    if not forwarded and is_loopback(direct_peer(environ)):
        return None
    return 404


@bp.get("/metrics")
def metrics():
    refused = scrape_allowed(request.environ, current_app.config.get("METRICS_TOKEN"))
    if refused is not None:
        abort(refused)
    encode, content_type = choose_encoder(request.headers.get("Accept", ""))
    body = encode(collect.scrape_registry(current_store()))
    return Response(body, content_type=content_type, headers={"Cache-Control": "no-store"})


# -- counting every request ----------------------------------------------------------------
def _start() -> None:
    g.metrics_started = time.perf_counter()


def _finish(response: Response) -> Response:
    started = g.get("metrics_started")
    if started is not None:
        rule = request.url_rule
        route = rule.rule if rule is not None else UNMATCHED_ROUTE
        observe_request(route, response.status_code, time.perf_counter() - started)
    return response


def count_requests(app: Flask) -> None:
    """Count every request the app answers: first of the before_request functions (one that
    answers early skips those after it), last of the after_request ones, so the status counted
    is the one sent."""
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request_funcs.setdefault(None, []).insert(0, _finish)


def register(app: Flask) -> None:
    count_requests(app)
    app.register_blueprint(bp)
