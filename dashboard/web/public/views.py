"""The public HTML: the page, its live fragment, the archive, one page per statement and one
per topic."""

from __future__ import annotations

import datetime as dt

from babel import dates
from flask import Blueprint, Response, abort, current_app, request, url_for
from werkzeug.wrappers import Request

from dashboard import config
from dashboard.cache import keys
from dashboard.cache.http import cached_response
from dashboard.cache.live import Rendered, View, fill_delay, live_pages
from dashboard.content import previews, store, versions
from dashboard.content.filters import StatementFilters
from dashboard.content.schema import statement as statement_schema
from dashboard.content.store import current_store
from dashboard.core import timecalc
from dashboard.core.snapshot import SiteContent, Snapshot, StatementItem, TopicDef, dated
from dashboard.i18n import choice as language_choice
from dashboard.i18n.languages import LANGUAGES, locales
from dashboard.web import listing, params
from dashboard.web.params import format_cursor
from dashboard.web.templating import render_block, render_page

bp = Blueprint("public", __name__)


def page_view(shot: Snapshot) -> tuple[str, dt.datetime]:
    return render_page("public/index.html", shot=shot), shot.next_change


def live_view(shot: Snapshot) -> tuple[str, dt.datetime]:
    # The live block is the layout's: every public page carries it, the same markup each time.
    return render_block("public/base.html", "live", shot=shot), shot.next_change


def usual_pages(_content: SiteContent):
    """The page and its live block in every language, for the scheduler to warm."""
    for locale in locales():
        yield keys.page(locale), page_view, locale
        yield keys.live_block(locale), live_view, locale


# The URLs whose fragments htmx asks for.
FRAGMENTED = frozenset({"public.index", "public.archive", "public.counter"})


def vary_for(endpoint: str | None, choice: language_choice.Choice) -> tuple[str, ...]:
    vary = ["HX-Request"] if endpoint in FRAGMENTED else []
    if not choice.explicit:  # the language came from the cookie or Accept-Language
        vary += ["Accept-Language", "Cookie"]
    return tuple(vary)


def remembers_choice(req: Request, choice: language_choice.Choice, hx: bool) -> bool:
    """Whether the answer sets the language cookie: a reader's explicit choice, on a page
    (not a fragment), that their cookie does not hold yet."""
    return choice.explicit and not hx and req.cookies.get(language_choice.COOKIE) != choice.locale


def wants_fragment(req: Request) -> bool:
    # The header read from the environ: werkzeug's lookup by name costs more than the answer.
    return req.environ.get("HTTP_HX_REQUEST") == "true"


def _respond(
    rendered: Rendered, now: dt.datetime, choice: language_choice.Choice, hx: bool
) -> Response:
    response = cached_response(rendered, now, vary=vary_for(request.endpoint, choice))
    if remembers_choice(request, choice, hx):  # remember it for their next visit
        response.set_cookie(
            language_choice.COOKIE,
            choice.locale,
            max_age=config.LANGUAGE_COOKIE_DAYS * 86400,
            samesite="Lax",
        )
    return response


# A language the dashboard does not have falls back to the reader's, as if not asked.
LANG = params.OneOf(LANGUAGES, lenient=True)
PAGE = params.Query("public.index", lang=LANG)
STATEMENT_PAGE = params.Query(
    "public.statement",
    lang=LANG,
    preview=params.Text(
        64, pattern=previews.TOKEN.pattern, example="the token of a preview link, pv_…"
    ),
)
ARCHIVE = params.Query("public.archive", lang=LANG, **listing.parameters())
TOPIC_PAGE = params.Query("public.topic", lang=LANG, before=params.CursorParameter())


def _choice(now: dt.datetime, values: dict) -> language_choice.Choice:
    return language_choice.choose(request, live_pages().content(now).locale, values["lang"])


def index_entry(locale: str, hx: bool) -> tuple[str, View]:
    """One URL, two representations: htmx asks for the live block only."""
    if hx:
        return keys.live_block(locale), live_view
    return keys.page(locale), page_view


@bp.get("/")
def index():
    # web/fastpath.py answers most of these before Flask, with the functions used here.
    now = timecalc.utcnow()
    choice = _choice(now, PAGE.read())
    hx = wants_fragment(request)
    key, view = index_entry(choice.locale, hx)
    return _respond(live_pages().get(key, now, view, choice.locale), now, choice, hx)


@bp.get("/statements")
def archive():
    """The archive, newest first, or a search of it (`q`). htmx asks for the results block
    alone as the reader types (the same URL, as a fragment)."""
    now = timecalc.utcnow()
    values = ARCHIVE.read()
    choice = _choice(now, values)
    wanted = listing.read(values, live_pages().content(now))
    hx = wants_fragment(request)
    hx = hx and request.headers.get("HX-History-Restore-Request") != "true"  # a whole page
    per_page = int(current_app.config["STATEMENTS_PER_PAGE"])

    def view(shot: Snapshot) -> tuple[str, dt.datetime]:
        with current_store().session() as session:
            page = listing.fetch(
                session, wanted, per_page, shot.statements_at, shot.date.timezone, shot.locale
            )
        links = wanted.arguments()
        content = live_pages().content(shot.statements_at)  # read once a revision
        context = {
            "shot": shot,
            "entries": [(dated(e.item, shot.date.timezone), e) for e in page.entries],
            "older": url_for("public.archive", before=page.next, **links) if page.next else None,
            "newest": url_for("public.archive", **links),
            "first_page": wanted.before is None,
            "wanted": wanted,
            "language": wanted.filters.language or "",
            "links": {k: v for k, v in links.items() if k != "language"},
            "problem": wanted.problem,
            "languages": content.languages,
            "topic": wanted.filters.topic or "",
            "topics": content.topics,
            "topic_links": {k: v for k, v in links.items() if k != "topic"},
            "months": months(shot.locale),
            "years": listing.YEARS,
            "max_length": config.SEARCH_MAX_LENGTH,
        }
        if hx:
            return render_block("public/statements.html", "results", **context), shot.next_change
        return render_page("public/statements.html", **context), shot.next_change

    if wanted.problem:  # answered, with the search box to try again, but not kept
        response = _respond(live_pages().render(now, view, locale=choice.locale), now, choice, hx)
        response.status_code = 400
        response.headers["Cache-Control"] = "no-store"
        return response
    key = keys.archive(choice.locale, wanted.key(), per_page, hx)
    rendered = live_pages().get(key, now, view=view, locale=choice.locale)
    return _respond(rendered, now, choice, hx)


def months(locale: str) -> list[tuple[int, str]]:
    """The month menu: numbers and names in the interface language, as a name stands alone."""
    names = dates.get_month_names("wide", "stand-alone", locale=locale)
    return [(number, names[number]) for number in range(1, 13)]


@bp.get("/topics/<slug>")
def topic(slug: str):
    """A topic's statements, newest first, paged by keyset as the archive is."""
    now = timecalc.utcnow()
    values = TOPIC_PAGE.read()
    choice = _choice(now, values)
    before = values["before"]
    per_page = int(current_app.config["STATEMENTS_PER_PAGE"])

    def view(shot: Snapshot) -> tuple[str, dt.datetime]:
        found = live_pages().content(shot.statements_at).topic(slug)
        if found is None:
            abort(404, description=f"There is no topic called {slug!r}.")
        with current_store().session() as session:
            items, cursor = store.statements_page(
                session,
                per_page,
                before,
                shot.statements_at,
                StatementFilters(topic=slug),
                locale=shot.locale,
            )
        older = None
        if cursor:
            older = url_for("public.topic", slug=slug, before=format_cursor(cursor))
        html = render_page(
            "public/topic.html",
            shot=shot,
            topic=found,
            statements=[dated(item, shot.date.timezone) for item in items],
            older=older,
            newest=None if before is None else url_for("public.topic", slug=slug),
        )
        return html, shot.next_change

    key = keys.topic(choice.locale, slug, TOPIC_PAGE.raw("before") if before else "", per_page)
    rendered = live_pages().get(key, now, view=view, locale=choice.locale)
    return _respond(rendered, now, choice, hx=False)


@bp.get("/statements/<slug>")
def statement(slug: str):
    now = timecalc.utcnow()
    values = STATEMENT_PAGE.read()
    choice = _choice(now, values)
    if values["preview"] is not None:
        return _preview(slug, values["preview"], now, choice)

    def view(shot: Snapshot) -> tuple[str, dt.datetime]:
        with current_store().session() as session:
            item = store.statement_by_slug(session, slug, shot.statements_at)
            expired = item is None and store.has_expired(session, slug, shot.statements_at)
            seen = store.visible_at(shot.statements_at)
            others = versions.of(session, item, seen) if item is not None else []
        if expired:
            abort(410, description=f"The statement {slug!r} has been withdrawn.")
        if item is None:  # a scheduled statement is not there yet, as if it never was
            abort(404, description=f"There is no statement called {slug!r}.")
        html = render_page(
            "public/statement.html",
            shot=shot,
            statement=dated(item, shot.date.timezone),
            topics=_topics_of(item, shot),
            versions=others if len(others) > 1 else [],
            # Its language switch leads to its versions in the other languages.
            switch_to={
                v.language: url_for("public.statement", slug=v.slug, lang=v.language)
                for v in others
                if v.slug != item.slug
            },
        )
        return html, shot.next_change

    key = keys.statement(choice.locale, slug)
    rendered = live_pages().get(key, now, view, choice.locale)
    return _respond(rendered, now, choice, hx=False)


def _topics_of(item: StatementItem, shot: Snapshot) -> list[TopicDef]:
    """The statement's topics, with their names, in order."""
    content = live_pages().content(shot.statements_at)
    found = (content.topic(slug) for slug in item.extra.get("topics", ()))
    return [topic for topic in found if topic is not None]


def _preview(slug: str, token: str, now: dt.datetime, choice) -> Response:
    """A statement before its instant, through a working preview link: marked as under
    embargo, never stored by any cache, and kept out of search engines."""
    with current_store().session() as session:
        row = previews.statement_for(session, slug, token, now)
        item = statement_schema.item(row) if row is not None else None
    if item is None:  # the same answer whether or not `slug` exists: a link reveals nothing
        abort(404, description="This preview link does not work: it has expired or was revoked.")
    zone_name = live_pages().content(now).timezone
    embargo = dated(item, zone_name) if item.published > now else None

    def view(shot: Snapshot) -> tuple[str, dt.datetime]:
        html = render_page(
            "public/statement.html",
            shot=shot,
            statement=dated(item, shot.date.timezone),
            topics=_topics_of(item, shot),
            embargo=embargo,
            embargo_time=timecalc.clock_text(timecalc.local(item.published, shot.date.timezone)),
            noindex=True,
        )
        return html, shot.next_change

    rendered = live_pages().render(now, view, locale=choice.locale)  # never kept
    body = fill_delay(rendered.body, rendered.next_change, now)
    response = Response(body, content_type="text/html; charset=utf-8")
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "no-referrer"  # the token stays out of Referer
    return response
