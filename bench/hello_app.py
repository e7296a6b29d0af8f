"""The yardstick: a Flask hello-world served by granian exactly as `dashboard serve` serves the
dashboard. Its bodies have the sizes of the dashboard's page and fragment (bytes given in the
environment), so the comparison is the dashboard's own cost over Flask's floor.

    /            HELLO_PAGE_BYTES of HTML
    /fragment    HELLO_FRAGMENT_BYTES of HTML
    /revalidate  304 to If-None-Match: "hello", else the fragment-sized body with that ETag
"""

from __future__ import annotations

import os

from flask import Flask, Response, request

ETAG = "hello"


def filler(size: int) -> bytes:
    head = b"<!doctype html><title>hello</title><p>"
    line = b"Hello, world! " * 4 + b"\n"
    body = head + line * (size // len(line) + 1)
    return body[:size]


def create_app() -> Flask:
    app = Flask(__name__)
    page = filler(int(os.environ.get("HELLO_PAGE_BYTES", "2048")))
    fragment = filler(int(os.environ.get("HELLO_FRAGMENT_BYTES", "1024")))

    @app.get("/")
    def hello_page():
        return Response(page, content_type="text/html; charset=utf-8")

    @app.get("/fragment")
    def hello_fragment():
        return Response(fragment, content_type="text/html; charset=utf-8")

    @app.get("/revalidate")
    def hello_revalidate():
        headers = {"ETag": f'"{ETAG}"', "Cache-Control": "public, max-age=30"}
        if request.if_none_match.contains(ETAG):
            return Response(status=304, headers=headers)
        return Response(fragment, headers=headers, content_type="text/html; charset=utf-8")

    return app
