"""Every security and framing header, set in one place for every response.

- /embed may be framed by EMBED_ALLOWED_ORIGINS; every other page by this origin only.
- /admin is private: never cached, never framed, no referrer beyond this site.
- The API's JSON is never sniffed as something else.
- A response that sets a cookie is private, whatever else it says.
"""

from __future__ import annotations

import re
from functools import lru_cache

from flask import Flask, Response, current_app, request

from dashboard import config

# Endpoints other sites may frame; everything else is same-origin only.
EMBEDDABLE = frozenset({"embed.widget"})
PRIVATE_BLUEPRINTS = frozenset({"admin"})


@lru_cache(maxsize=8)
def embed_frame_ancestors(configured: str) -> str:
    """frame-ancestors for /embed: '*', or 'self' (the builder's preview) and the listed ones."""
    sources = config.embed_origins(configured)
    if "*" in sources:
        return "*"
    return " ".join(["'self'", *(s for s in sources if s not in ("'self'", "'none'"))])


FRAME_ANCESTORS = re.compile(r"(^|;)\s*frame-ancestors(\s|;|$)", re.I)


def framing(endpoint: str | None, embed_allowed_origins: str) -> tuple[str, str | None]:
    """The frame-ancestors sources for a public endpoint, and its X-Frame-Options (None for
    what other sites may frame)."""
    if endpoint in EMBEDDABLE:
        return embed_frame_ancestors(embed_allowed_origins), None
    return "'self'", "SAMEORIGIN"


def public_headers(endpoint: str | None, embed_allowed_origins: str) -> list[tuple[str, str]]:
    """What add_headers adds to a public page that set no framing headers of its own (the
    WSGI fast path's answers), in the order it adds them."""
    ancestors, frame_options = framing(endpoint, embed_allowed_origins)
    added = [("X-Frame-Options", frame_options)] if frame_options else []
    return [*added, ("Content-Security-Policy", f"frame-ancestors {ancestors}")]


def add_framing_headers(response: Response) -> Response:
    """/embed may be framed by EMBED_ALLOWED_ORIGINS; everything else by this origin only. A CSP
    set elsewhere keeps its other directives, and a frame-ancestors of its own."""
    ancestors, frame_options = framing(
        request.endpoint, current_app.config["EMBED_ALLOWED_ORIGINS"]
    )
    if frame_options:
        response.headers.setdefault("X-Frame-Options", frame_options)
    csp = response.headers.get("Content-Security-Policy")
    if csp is None:  # the usual case, on every public request
        response.headers["Content-Security-Policy"] = f"frame-ancestors {ancestors}"
        return response
    csp = csp.strip().rstrip(";").strip()
    if not FRAME_ANCESTORS.search(csp):
        directive = f"frame-ancestors {ancestors}"
        response.headers["Content-Security-Policy"] = f"{csp}; {directive}" if csp else directive
    return response


def add_private_headers(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = "frame-ancestors 'none'"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.vary.add("HX-Request")
    return response


def add_headers(response: Response) -> Response:
    if request.blueprint in PRIVATE_BLUEPRINTS:
        return add_private_headers(response)
    if request.path.startswith("/api/"):
        response.headers["X-Content-Type-Options"] = "nosniff"
    return add_framing_headers(response)


# Dropped from a response that sets a cookie: how long others may keep it, and the validator
# that would let them reuse a public copy.
SHARED_CACHING = frozenset({"cache-control", "expires", "etag", "last-modified"})


def shareable(headers: list[tuple[str, str]]) -> bool:
    """Whether a shared cache may keep the response: not when its Cache-Control says private
    or no-store (the admin's pages, errors)."""
    directives = {
        part.strip().split("=")[0].lower()
        for name, value in headers
        if name.lower() == "cache-control"
        for part in value.split(",")
    }
    return not directives & {"private", "no-store"}


def private_when_setting_cookies(wsgi_app):
    """A response that sets a cookie is never public: a shared cache could hand the cookie to
    everyone. Checked as the response leaves, after Flask has saved the session (which comes
    after every after_request function), so no cookie from anywhere is missed."""

    def app(environ, start_response):
        def start(status, headers, exc_info=None):
            if any(name.lower() == "set-cookie" for name, _ in headers) and shareable(headers):
                headers = [(n, v) for n, v in headers if n.lower() not in SHARED_CACHING]
                headers.append(("Cache-Control", "private, no-store"))
            return start_response(status, headers, exc_info)

        return wsgi_app(environ, start)

    return app


def register(app: Flask) -> None:
    # A bad EMBED_ALLOWED_ORIGINS fails at start-up, naming the entry, not on a reader's request.
    embed_frame_ancestors(app.config["EMBED_ALLOWED_ORIGINS"])
    app.after_request(add_headers)
    app.wsgi_app = private_when_setting_cookies(app.wsgi_app)
