"""/embed: a compact page of its own that keeps itself current like the main page. Its live
block asks for itself again (same URL, `HX-Request: true`) when the parts it shows next change
— the next minute with a clock, else the next local midnight of the counters it shows. Every
value comes from the snapshot; this module only picks parts of it."""

from __future__ import annotations

import datetime as dt

from flask import Response, abort, request, url_for

from dashboard.cache import keys
from dashboard.cache.http import cached_response
from dashboard.cache.live import live_pages
from dashboard.core import timecalc
from dashboard.core.snapshot import SiteContent, Snapshot
from dashboard.i18n.languages import locales
from dashboard.web.embed.blueprint import bp
from dashboard.web.embed.query import WIDGET, EmbedQuery, embed_query, latest_statements
from dashboard.web.params import BadParameter
from dashboard.web.templating import render_block, render_page


def embed_view(query: EmbedQuery, fragment: bool):
    def view(shot: Snapshot) -> tuple[str, dt.datetime]:
        clocks, counters = query.pick_clocks(shot), query.pick_counters(shot)
        context = dict(
            shot=shot,
            query=query,
            clocks=clocks,
            counters=counters,
            statements=latest_statements(shot, query.statements),
            embed_url=url_for("embed.widget") + "?" + query.query_string(),
        )
        if fragment:
            html = render_block("embed/widget.html", "live", **context)
        else:
            html = render_page("embed/widget.html", **context)
        return html, shot.next_change_of(clocks, counters)

    return view


def embed_key(query: EmbedQuery, fragment: bool) -> str:
    return keys.embed(query.query_string(), fragment)


def usual_embeds(content: SiteContent):
    """The widgets most pages embed, for the scheduler to warm: everything, and each counter
    alone (the builder's first snippet), in each language, as a page and as its fragment."""
    queries = [EmbedQuery(clocks=None, counters=None, locale=locale) for locale in locales()]
    queries += [
        EmbedQuery(clocks=(), counters=(counter.slug,), locale=locale)
        for counter in content.counters
        for locale in locales()
    ]
    for query in queries:
        for fragment in (False, True):
            yield embed_key(query, fragment), embed_view(query, fragment), query.locale


@bp.get("/embed")
def widget():
    return widget_response(WIDGET.read(), embed_key, embed_view)


def widget_response(values: dict, key_of, view_of) -> Response:
    """A page read from the embed's parameters (the widget, the board): 400 for a bad value;
    else the page, or its live block for htmx, from the warm bytes of its key."""
    now = timecalc.utcnow()
    try:
        query = embed_query(values, live_pages().content(now))
    except BadParameter as error:
        abort(400, description=str(error))
    fragment = request.headers.get("HX-Request") == "true"
    rendered = live_pages().get(
        key_of(query, fragment), now, view=view_of(query, fragment), locale=query.locale
    )
    # The language is in the URL (or is the site's own), so nothing but HX-Request varies, and
    # the widget never sets or needs a cookie.
    return cached_response(rendered, now, vary=("HX-Request",))
