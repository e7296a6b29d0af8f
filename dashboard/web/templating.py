"""Templates: rendering a page, or one block of it alone (a fragment, as htmx asks for it),
and the filters and globals every template may use."""

from __future__ import annotations

from flask import Flask, render_template
from jinja2_fragments.flask import render_block as _render_block
from markupsafe import Markup, escape

from dashboard import config
from dashboard.web import discoverable


def render_page(template: str, **context) -> str:
    return render_template(template, **context)


def render_block(template: str, block: str, **context) -> str:
    """One block of a page's template, rendered alone: the page and its fragment can never
    drift apart, since they are the same markup."""
    return _render_block(template, block, **context)


def paragraphs(text: str) -> Markup:
    """Plain text with blank lines between paragraphs, escaped, as <p> elements."""
    parts = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return Markup("\n").join(Markup("<p>{}</p>").format(escape(p)) for p in parts)


def stored_html(html: str) -> Markup:
    """A statement's body as stored: rendered and sanitised when it was written, so safe."""
    return Markup(html)


def register(app: Flask) -> None:
    app.jinja_env.filters["paragraphs"] = paragraphs
    app.jinja_env.filters["stored_html"] = stored_html
    app.jinja_env.filters["og_locale"] = discoverable.og_locale
    app.jinja_env.filters["json_ld"] = discoverable.json_ld
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def htmx_settings():
        return {
            "htmx_url": app.config["HTMX_URL"],
            "htmx_integrity": app.config["HTMX_INTEGRITY"],
            # The pinned file, served from static/ when the CDN fails (whatever HTMX_URL says).
            "htmx_local_file": config.HTMX_LOCAL_FILE,
            "htmx_local_integrity": config.HTMX_SRI,
        }
