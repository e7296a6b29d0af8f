"""Template globals and filters."""

from __future__ import annotations

from flask import Flask
from markupsafe import Markup, escape


def paragraphs(text: str) -> Markup:
    """Plain text with blank lines between paragraphs, escaped, as <p> elements."""
    parts = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return Markup("\n").join(Markup("<p>{}</p>").format(escape(p)) for p in parts)


def init_app(app: Flask) -> None:
    from dashboard.richtext import body_html

    app.jinja_env.filters["paragraphs"] = paragraphs
    app.jinja_env.filters["body_html"] = body_html  # statement bodies: rendered and sanitised
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def htmx_settings():
        return {
            "htmx_url": app.config["HTMX_URL"],
            "htmx_integrity": app.config["HTMX_INTEGRITY"],
        }
