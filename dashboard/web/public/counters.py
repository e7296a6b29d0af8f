"""/counters/<slug>: one counter's page, with its live block, its runs and its record, and
the ways to share it (its address, its badge, an embed of it alone).

It is served as the main page is: one URL, two representations (htmx asks for the live block
alone), bytes kept per minute and warmed by the scheduler, an ETag, and a max-age that ends
when what it shows changes (the counter's next midnight, or the site's date line's)."""

from __future__ import annotations

import datetime as dt
import re

from flask import abort, request, url_for

from dashboard import config
from dashboard.cache import keys
from dashboard.cache.live import ORIGIN_MARK, live_pages
from dashboard.core import timecalc
from dashboard.core.snapshot import CounterReading, SiteContent, Snapshot
from dashboard.i18n.languages import locales
from dashboard.web import params
from dashboard.web.badges.views import default_label
from dashboard.web.embed.builder import snippets
from dashboard.web.embed.query import EmbedQuery, estimate_height
from dashboard.web.public.views import LANG, _choice, _respond, bp
from dashboard.web.templating import render_block, render_page

ORIGIN = ORIGIN_MARK.decode()  # filled with this request's origin when the bytes are served
COUNTER_PAGE = params.Query("public.counter", lang=LANG)
TEMPLATE = "public/counter.html"


def _reading(shot: Snapshot, slug: str) -> CounterReading:
    found = shot.counter(slug)
    if found is None:
        abort(404, description=f"There is no counter called {slug!r}.")
    return found


def _until(shot: Snapshot, counter: CounterReading) -> dt.datetime:
    """What the page shows changes at the counter's next midnight, or the site's (its date
    line), or when a linked statement appears or leaves."""
    return min(shot.date.next_change, shot.next_change_of(counters=[counter]))


def share(shot: Snapshot, counter: CounterReading) -> dict[str, str]:
    """What a reader may copy: the page's address, the badge's, and an embed of this counter."""
    query = EmbedQuery(clocks=(), counters=(counter.slug,), locale=shot.locale)
    height = estimate_height(shot, query, config.OEMBED_WIDTH)
    site_locale = live_pages().content(shot.statements_at).locale
    made = snippets(shot, query, [counter], height, site_locale)
    lang = {} if shot.locale == site_locale else {"lang": shot.locale}
    page = ORIGIN + url_for("public.counter", slug=counter.slug, **lang)
    badge = ORIGIN + url_for("badges.badge_svg", slug=counter.slug, **lang)
    alt = re.sub(r"([\\\[\]])", r"\\\1", default_label(counter, shot.locale))
    return {
        "page": page,
        "badge": badge,
        "badge_markdown": f"[![{alt}]({badge})]({page})",  # the badge leads to this page
        "script": made["script"],
        "iframe": made["iframe"],
    }


def page_view(slug: str):
    def view(shot: Snapshot) -> tuple[str, dt.datetime]:
        counter = _reading(shot, slug)
        html = render_page(TEMPLATE, shot=shot, counter=counter, share=share(shot, counter))
        return html, _until(shot, counter)

    return view


def live_view(slug: str):
    def view(shot: Snapshot) -> tuple[str, dt.datetime]:
        counter = _reading(shot, slug)
        return render_block(TEMPLATE, "live", shot=shot, counter=counter), _until(shot, counter)

    return view


def usual_counter_pages(content: SiteContent):
    """Each counter's page and live block in every language, for the scheduler to warm."""
    for counter in content.counters:
        for locale in locales():
            yield keys.counter_page(locale, counter.slug), page_view(counter.slug), locale
            yield keys.counter_live(locale, counter.slug), live_view(counter.slug), locale


@bp.get("/counters/<slug>")
def counter(slug: str):
    now = timecalc.utcnow()
    choice = _choice(now, COUNTER_PAGE.read())
    hx = request.headers.get("HX-Request") == "true"
    if hx:
        key, view = keys.counter_live(choice.locale, slug), live_view(slug)
    else:
        key, view = keys.counter_page(choice.locale, slug), page_view(slug)
    return _respond(live_pages().get(key, now, view, choice.locale), now, choice, hx)
