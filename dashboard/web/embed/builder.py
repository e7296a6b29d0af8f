"""/embed/builder: choose what a widget shows, preview it, and copy the snippets."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from flask import abort, request, url_for
from markupsafe import escape

from dashboard import config
from dashboard.cache import keys
from dashboard.cache.http import cached_response
from dashboard.cache.live import ORIGIN_MARK, live_pages
from dashboard.core import timecalc
from dashboard.core.snapshot import CounterReading, Snapshot
from dashboard.i18n import choice as language_choice
from dashboard.web import params
from dashboard.web.badges.views import default_label
from dashboard.web.embed.blueprint import bp
from dashboard.web.embed.query import (
    EMBED_PARAMETERS,
    THEMES,
    EmbedQuery,
    embed_query,
    estimate_height,
)
from dashboard.web.params import BadParameter
from dashboard.web.templating import render_page

ORIGIN = ORIGIN_MARK.decode()  # filled with this request's origin when the bytes are served


BUILDER = params.Query(
    "embed.builder",
    **{
        **EMBED_PARAMETERS,
        "clocks": params.Names(split=False),  # check boxes: a label may hold a comma
        "counters": params.Names(split=False),
        "built": params.Flag(),  # the form was sent: an unticked box means "not this one"
    },
)


@bp.get("/embed/builder")
def builder():
    now = timecalc.utcnow()
    content = live_pages().content(now)
    try:
        values = BUILDER.read()
        choice = language_choice.choose(request, content.locale, values["lang"])
        if values["built"]:
            clocks, counters = values["clocks"] or [], values["counters"] or []
        else:
            clocks = [c.label for c in content.clocks]
            counters = [c.slug for c in content.counters]
        query = embed_query({**values, "lang": choice.locale}, content, clocks, counters)
    except BadParameter as error:
        abort(400, description=str(error))

    def view(shot: Snapshot) -> tuple[str, dt.datetime]:
        clocks, counters = query.pick_clocks(shot), query.pick_counters(shot)
        height = estimate_height(shot, query, config.OEMBED_WIDTH)
        html = render_page(
            "embed/builder.html",
            shot=shot,
            query=query,
            clock_choices=[(c.key, c.label) for c in shot.clocks],
            counter_choices=[(c.slug, c.event) for c in shot.counters],
            chosen_clocks={c.key for c in clocks},
            chosen_counters={c.slug for c in counters},
            empty=not (clocks or counters or query.statements),
            embed_path=url_for("embed.widget") + "?" + query.query_string(),
            preview_height=height,
            snippets=snippets(shot, query, counters, height, content.locale),
            themes=THEMES,
            max_statements=config.EMBED_MAX_STATEMENTS,
        )
        return html, shot.next_change

    key = keys.builder(choice.locale, query.query_string())
    rendered = live_pages().get(key, now, view=view, locale=choice.locale)
    vary = () if choice.explicit else ("Accept-Language", "Cookie")
    return cached_response(rendered, now, vary=vary)


def snippets(
    shot: Snapshot,
    query: EmbedQuery,
    counters: Sequence[CounterReading],
    height: int,
    site_locale: str,
) -> dict[str, str]:
    """What the builder offers to copy: the script tag, a plain iframe, badge Markdown. The
    origin is a mark, filled in per request."""
    data = "".join(f' data-{name}="{escape(value)}"' for name, value in query.params().items())
    script = f'<script src="{ORIGIN}{url_for("static", filename="embed.js")}"{data} async></script>'
    src = ORIGIN + url_for("embed.widget") + "?" + query.query_string()
    iframe = (
        f'<iframe src="{escape(src)}" width="100%" height="{height}" style="border:0" '
        f'title="{escape(shot.title)}" loading="lazy"></iframe>'
    )
    lang = {} if query.locale == site_locale else {"lang": query.locale}
    page = ORIGIN + url_for("public.index", **lang)
    badges = []
    for counter in counters:
        alt = re.sub(r"([\\\[\]])", r"\\\1", default_label(counter, shot.locale))
        badge = ORIGIN + url_for("badges.badge_svg", slug=counter.slug, **lang)
        badges.append(f"[![{alt}]({badge})]({page})")
    return {"script": script, "iframe": iframe, "badges": "\n".join(badges)}
