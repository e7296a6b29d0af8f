"""The web: every HTTP route, and what every response carries."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from dashboard.web import (
    admin,
    ahead,
    api,
    atom,
    auth,
    badges,
    board,
    cards,
    embed,
    errors,
    fastpath,
    headers,
    health,
    metrics,
    params,
    public,
    sitemap,
    templating,
)


def register(app: Flask) -> None:
    # Before any route names them: ids a row can have, texts without control characters.
    app.url_map.converters["int"] = params.RowIdConverter
    app.url_map.converters["default"] = app.url_map.converters["string"] = params.PlainTextConverter
    templating.register(app)
    errors.register(app)
    headers.register(app)  # wraps Flask's WSGI app: an answer that sets a cookie is private
    # Around that, since it sets no cookie; inside ProxyFix, so it sees the environ as Flask.
    fastpath.install(app)
    count = int(app.config.get("PROXY_COUNT") or 0)
    if count:  # reverse proxies in front: their X-Forwarded-* are trusted that deep, no deeper
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    auth.register(app)  # sessions, and CSRF on every state-changing request
    public.register(app)
    api.register(app)
    atom.register(app)
    sitemap.register(app)
    embed.register(app)
    badges.register(app)
    board.register(app)
    ahead.register(app)  # the live blocks of the page, counters, embed and board, ahead
    cards.register(app)
    health.register(app)
    metrics.register(app)  # /metrics, and the count of every request
    admin.register(app)
