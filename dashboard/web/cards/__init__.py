"""Share cards: 1200×630 PNGs of a counter or a statement, for Open Graph and Twitter.

Templates name a card's absolute address with `counter_card_url(slug, locale)` and
`statement_card_url(slug, locale)`, and its size with `card_size` (width, height)."""

from __future__ import annotations

from flask import Flask

from dashboard.cache import live
from dashboard.web.cards import views
from dashboard.web.cards.views import counter_card_url, statement_card_url

__all__ = ["counter_card_url", "register", "statement_card_url"]


def register(app: Flask) -> None:
    live.pages_of(app).register_family(views.usual_cards)
    app.register_blueprint(views.bp)
    app.jinja_env.globals.update(
        counter_card_url=counter_card_url,
        statement_card_url=statement_card_url,
        card_size=(views.WIDTH, views.HEIGHT),
    )
