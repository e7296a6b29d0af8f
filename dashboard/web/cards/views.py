"""/counters/<slug>/card.png and /statements/<slug>/card.png: share cards, drawn from the
snapshot like every other view, kept warm like pages (a key per card and language), with an
ETag and a max-age that ends when the card's content next changes.

A counter's card changes at its next local midnight. A statement's changes only with an edit
(its bytes, and so its ETag, change then) or its expiry: caches keep it an hour at most, so a
correction reaches them soon. A statement readers cannot see has no card, exactly as it has
no page: 404 before it is published, 410 once it has expired."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, abort, request, url_for

from dashboard.cache import keys
from dashboard.cache.http import cached_response
from dashboard.cache.live import live_pages
from dashboard.content import store
from dashboard.content.store import current_store
from dashboard.core import timecalc
from dashboard.core.captions import date_line
from dashboard.core.snapshot import CounterReading, SiteContent, Snapshot, StatementItem
from dashboard.i18n import choice as language_choice
from dashboard.i18n.languages import LANGUAGES, locales
from dashboard.web import params
from dashboard.web.cards import drawing
from dashboard.web.discoverable import ORIGIN

bp = Blueprint("cards", __name__)

WIDTH, HEIGHT = drawing.WIDTH, drawing.HEIGHT
STATEMENT_CARD_SECONDS = 3600  # the longest a cache keeps a statement's card
# A language the dashboard does not have falls back to the reader's, as the pages do.
CARD = params.Query(
    "cards.counter_card", "cards.statement_card", lang=params.OneOf(LANGUAGES, lenient=True)
)


def counter_card_url(slug: str, locale: str) -> str:
    """The counter's card in `locale` as an absolute address (og:image), for bytes rendered in
    or out of a request: the origin is a mark each response fills in. A language the site
    has no words for is left out: the reader's is chosen then."""
    return ORIGIN + url_for("cards.counter_card", slug=slug, lang=_known(locale))


def statement_card_url(slug: str, locale: str) -> str:
    """The statement's card, likewise."""
    return ORIGIN + url_for("cards.statement_card", slug=slug, lang=_known(locale))


def _known(locale: str) -> str | None:
    return locale if locale in LANGUAGES else None


def counter_card(shot: Snapshot, counter: CounterReading) -> drawing.CounterCard:
    """What a counter's card shows: the number as the locale writes it, the rest of the
    caption, the site's title, all in the snapshot's language."""
    return drawing.CounterCard(
        number=counter.number, caption=counter.caption, site_title=shot.title
    )


def statement_card(shot: Snapshot, item: StatementItem) -> drawing.StatementCard:
    """What a statement's card shows: its title, the day it was published in the site's zone
    as the snapshot's language writes a date, the site's title."""
    day = timecalc.local_date(item.published, shot.date.timezone)
    return drawing.StatementCard(
        title=item.title, date=date_line(day, shot.locale), site_title=shot.title
    )


def counter_card_view(slug: str):
    def view(shot: Snapshot) -> tuple[bytes, dt.datetime]:
        counter = shot.counter(slug)
        if counter is None:  # removed since the request checked it
            abort(404, description=f"There is no counter called {slug!r}.")
        return drawing.counter_png(counter_card(shot, counter)), counter.next_change

    return view


def statement_card_view(slug: str):
    def view(shot: Snapshot) -> tuple[bytes, dt.datetime]:
        # The statement page's own rule: what readers see at this instant, or nothing.
        with current_store().session() as session:
            item = store.statement_by_slug(session, slug, shot.statements_at)
            expired = item is None and store.has_expired(session, slug, shot.statements_at)
        if expired:
            abort(410, description=f"The statement {slug!r} has been withdrawn.")
        if item is None:
            abort(404, description=f"There is no statement called {slug!r}.")
        changes = timecalc.shift(shot.minute, STATEMENT_CARD_SECONDS)
        if item.expires is not None:
            changes = min(changes, item.expires)
        return drawing.statement_png(statement_card(shot, item)), changes

    return view


def usual_cards(content: SiteContent):
    """Each counter's card in every language, for the scheduler to warm."""
    for counter in content.counters:
        for locale in locales():
            key = keys.card("counter", counter.slug, locale)
            yield key, counter_card_view(counter.slug), locale


def _respond(kind: str, slug: str, view) -> Response:
    now = timecalc.utcnow()
    values = CARD.read()
    content = live_pages().content(now)
    choice = language_choice.choose(request, content.locale, values["lang"])
    if kind == "counter" and slug not in {c.slug for c in content.counters}:
        abort(404, description=f"There is no counter called {slug!r}.")
    rendered = live_pages().get(keys.card(kind, slug, choice.locale), now, view, choice.locale)
    # Chosen by cookie or Accept-Language, the same address may be another language's card.
    vary = () if choice.explicit else ("Accept-Language", "Cookie")
    return cached_response(rendered, now, "image/png", vary=vary, marks=False)


@bp.get("/counters/<slug>/card.png", endpoint="counter_card")
def counter_card_route(slug: str):
    return _respond("counter", slug, counter_card_view(slug))


@bp.get("/statements/<slug>/card.png", endpoint="statement_card")
def statement_card_route(slug: str):
    return _respond("statement", slug, statement_card_view(slug))
