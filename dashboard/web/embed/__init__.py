"""Embedding: the /embed widget, its builder, and oEmbed. Which origins may frame the widget
is said with every other header, in web/headers.py."""

from __future__ import annotations

from dashboard.cache import live
from dashboard.web.embed import builder as builder  # adds its routes to the blueprint
from dashboard.web.embed import oembed, widget
from dashboard.web.embed.blueprint import bp


def register(app) -> None:
    app.jinja_env.globals["oembed_link"] = oembed.oembed_link
    live.pages_of(app).register_family(widget.usual_embeds)
    app.register_blueprint(bp)
