"""Embedding: the /embed widget, its builder, oEmbed, and who may frame what.

/embed is a compact page of its own that keeps itself current like the main page: its live
block asks for itself again (same URL, `HX-Request: true`) when the parts it shows next change
— the next minute with a clock, else the next local midnight of the counters it shows. Every
value comes from the snapshot; this module only picks parts of it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    url_for,
)
from jinja2 import pass_context
from markupsafe import Markup, escape
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from dashboard import i18n, settings, store, timecalc
from dashboard.badges import default_label
from dashboard.captions import LOCALES
from dashboard.live import ORIGIN_MARK, live_pages
from dashboard.responses import cached_response
from dashboard.snapshot import ClockReading, CounterReading, DatedStatement, SiteContent, Snapshot

bp = Blueprint("embed", __name__)

THEMES = ("auto", "light", "dark")
MAX_STATEMENTS = 10
# Endpoints other sites may frame; everything else is same-origin only.
EMBEDDABLE = frozenset({"embed.widget"})
ORIGIN = ORIGIN_MARK.decode()  # filled with this request's origin when the bytes are served
OEMBED_WIDTH = 480
OEMBED_CACHE_AGE = 3600  # the html (an iframe) never changes with time; only edits change it
OEMBED_TARGETS = ("public.index", "public.statement", "embed.widget")


class BadParameter(ValueError):
    """A query parameter that cannot be used; the message names it."""


@dataclasses.dataclass(frozen=True)
class EmbedQuery:
    """What an embed shows. `clocks`/`counters` None means "all of them" (neither was asked
    for); otherwise exactly those, in page order."""

    clocks: tuple[str, ...] | None
    counters: tuple[str, ...] | None
    statements: int = 0
    theme: str = "auto"
    locale: str = "en"
    transparent: bool = False

    def params(self) -> dict[str, str]:
        """The normalised query, in a fixed order: the embed's URL and its cache key."""
        params: dict[str, str] = {}
        if self.clocks:
            params["clocks"] = ",".join(self.clocks)
        if self.counters or (self.clocks is not None and not self.clocks):
            params["counters"] = ",".join(self.counters or ())  # "counters=": a chosen nothing
        if self.statements:
            params["statements"] = str(self.statements)
        if self.theme != "auto":
            params["theme"] = self.theme
        params["lang"] = self.locale
        if self.transparent:
            params["transparent"] = "1"
        return params

    def query_string(self) -> str:
        return urlencode(self.params(), safe=",")

    def pick_clocks(self, shot: Snapshot) -> tuple[ClockReading, ...]:
        if self.clocks is None and self.counters is None:
            return shot.clocks
        return tuple(c for c in shot.clocks if c.label in (self.clocks or ()))

    def pick_counters(self, shot: Snapshot) -> tuple[CounterReading, ...]:
        if self.clocks is None and self.counters is None:
            return shot.counters
        return tuple(c for c in shot.counters if c.slug in (self.counters or ()))


def _names(values: Iterable[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _pick(asked: list[str], known: Sequence[str], parameter: str, kind: str) -> tuple[str, ...]:
    """The known names asked for, in page order; a name that is not there is an error."""
    folded = {name.casefold(): name for name in known}
    chosen = set()
    for name in asked:
        found = name if name in known else folded.get(name.casefold())
        if found is None:
            listing = ", ".join(known) or "none"
            raise BadParameter(f"'{parameter}': there is no {kind} {name!r} (there are: {listing})")
        chosen.add(found)
    return tuple(name for name in known if name in chosen)


def parse_query(
    args: MultiDict,
    content: SiteContent,
    clocks: list[str] | None = None,
    counters: list[str] | None = None,
) -> EmbedQuery:
    """An EmbedQuery from URL parameters, or BadParameter naming the first bad one. `clocks` and
    `counters` may come already split (the builder's check boxes)."""
    if clocks is None and "clocks" in args:
        clocks = _names(args.getlist("clocks"))
    if counters is None and "counters" in args:
        counters = _names(args.getlist("counters"))
    labels = [c.label for c in content.clocks]
    slugs = [c.slug for c in content.counters]
    chosen_clocks = chosen_counters = None
    if clocks is not None or counters is not None:
        chosen_clocks = _pick(clocks or [], labels, "clocks", "clock labelled")
        chosen_counters = _pick(counters or [], slugs, "counters", "counter called")

    text = args.get("statements", "0").strip() or "0"
    if not (text.isdigit() and int(text) <= MAX_STATEMENTS):
        raise BadParameter(
            f"'statements' must be a whole number from 0 to {MAX_STATEMENTS}, not {text!r}"
        )
    theme = args.get("theme", "auto") or "auto"
    if theme not in THEMES:
        raise BadParameter(f"'theme' must be one of {', '.join(THEMES)}, not {theme!r}")
    locale = args.get("lang") or content.locale or LOCALES[0]
    if locale not in LOCALES:
        raise BadParameter(f"'lang' must be one of {', '.join(LOCALES)}, not {locale!r}")
    transparent = args.get("transparent", "0") or "0"
    if transparent not in ("0", "1"):
        raise BadParameter(f"'transparent' must be 1 or 0, not {transparent!r}")
    return EmbedQuery(
        clocks=chosen_clocks,
        counters=chosen_counters,
        statements=int(text),
        theme=theme,
        locale=locale,
        transparent=transparent == "1",
    )


def latest_statements(shot: Snapshot, count: int) -> list[DatedStatement]:
    """The newest `count` statements, whether featured or not."""
    pool = ([shot.featured] if shot.featured else []) + list(shot.latest)
    pool.sort(key=lambda s: s.item.published, reverse=True)
    return pool[:count]


def embed_view(query: EmbedQuery, fragment: bool):
    def view(shot: Snapshot) -> tuple[str, dt.datetime]:
        clocks, counters = query.pick_clocks(shot), query.pick_counters(shot)
        html = render_template(
            "_embed_live.html" if fragment else "embed.html",
            shot=shot,
            query=query,
            clocks=clocks,
            counters=counters,
            statements=latest_statements(shot, query.statements),
            embed_url=url_for("embed.widget") + "?" + query.query_string(),
        )
        return html, shot.next_change_of(clocks, counters)

    return view


def embed_key(query: EmbedQuery, fragment: bool) -> str:
    return f"embed:{'live' if fragment else 'page'}:{query.query_string()}"


def usual_embeds(content: SiteContent):
    """The widgets most pages embed, for the scheduler to warm: everything, and each counter
    alone (the builder's first snippet), in each language, as a page and as its fragment."""
    queries = [EmbedQuery(clocks=None, counters=None, locale=locale) for locale in LOCALES]
    queries += [
        EmbedQuery(clocks=(), counters=(counter.slug,), locale=locale)
        for counter in content.counters
        for locale in LOCALES
    ]
    for query in queries:
        for fragment in (False, True):
            yield embed_key(query, fragment), embed_view(query, fragment), query.locale


# -- /embed -----------------------------------------------------------------------------------
@bp.get("/embed")
def widget():
    now = timecalc.utcnow()
    try:
        query = parse_query(request.args, live_pages().content(now))
    except BadParameter as error:
        abort(400, description=str(error))
    fragment = request.headers.get("HX-Request") == "true"
    rendered = live_pages().get(
        embed_key(query, fragment), now, view=embed_view(query, fragment), locale=query.locale
    )
    # The language is in the URL (or is the site's own), so nothing but HX-Request varies, and
    # the widget never sets or needs a cookie.
    return cached_response(rendered, now, vary=("HX-Request",))


# -- /embed/builder ---------------------------------------------------------------------------
@bp.get("/embed/builder")
def builder():
    now = timecalc.utcnow()
    content = live_pages().content(now)
    choice = i18n.choose(request, content.locale)
    args = request.args
    built = args.get("built") == "1"  # the form was sent: an unticked box means "not this one"
    if built:
        clocks, counters = args.getlist("clocks"), args.getlist("counters")
    else:
        clocks, counters = [c.label for c in content.clocks], [c.slug for c in content.counters]
    defaults = MultiDict({"lang": choice.locale, **args.to_dict(flat=True)})
    try:
        query = parse_query(defaults, content, clocks=clocks, counters=counters)
    except BadParameter as error:
        abort(400, description=str(error))

    def view(shot: Snapshot) -> tuple[str, dt.datetime]:
        clocks, counters = query.pick_clocks(shot), query.pick_counters(shot)
        height = estimate_height(shot, query, OEMBED_WIDTH)
        html = render_template(
            "embed_builder.html",
            shot=shot,
            query=query,
            chosen_clocks={c.label for c in clocks},
            chosen_counters={c.slug for c in counters},
            empty=not (clocks or counters or query.statements),
            embed_path=url_for("embed.widget") + "?" + query.query_string(),
            preview_height=height,
            snippets=snippets(shot, query, counters, height, content.locale),
            themes=THEMES,
            max_statements=MAX_STATEMENTS,
        )
        return html, shot.next_change

    key = f"builder:{choice.locale}:{query.query_string()}"
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


# -- oEmbed -----------------------------------------------------------------------------------
def estimate_height(shot: Snapshot, query: EmbedQuery, width: int) -> int:
    """A fair first height for an iframe of the embed at `width` px, from what it shows (the
    script snippet fits it exactly afterwards; a plain iframe keeps this)."""
    per_line = max(12, (width - 40) // 7)  # characters per line at the embed's 14 px text

    def lines(text: str) -> int:
        return max(1, math.ceil(len(text) / per_line))

    height = 16 + 22  # padding, and the line naming the dashboard
    if query.pick_clocks(shot):
        height += 28
    for counter in query.pick_counters(shot):
        height += 24 + 20 * lines(counter.text)
    for statement in latest_statements(shot, query.statements):
        height += 8 + 20 * lines(f"{statement.date_text} {statement.item.title}")
    return height


def _oembed_error(status: int, message: str) -> Response:
    response = jsonify(error=message)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def _positive(name: str) -> int | None:
    text = request.args.get(name, "").strip()
    if not text:
        return None
    if not text.isdigit() or int(text) == 0:
        raise BadParameter(f"'{name}' must be a positive whole number of pixels, not {text!r}")
    return int(text)


def _resolve(url: str) -> tuple[str, dict, MultiDict] | None:
    """(endpoint, view arguments, query) when `url` is one of this dashboard's pages."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.netloc.lower() != request.host.lower():
        return None
    path = parts.path or "/"
    root = request.script_root
    if root:
        if not path.startswith(root + "/"):
            return None
        path = path[len(root) :]
    adapter = current_app.url_map.bind(request.host, script_name=root or "/")
    try:
        endpoint, view_args = adapter.match(path, method="GET")
    except (HTTPException, RequestRedirect):
        return None
    if endpoint not in OEMBED_TARGETS:
        return None
    return endpoint, view_args, MultiDict(parse_qsl(parts.query, keep_blank_values=True))


@bp.get("/oembed")
def oembed():
    """oEmbed 1.0 (https://oembed.com): a `rich` iframe of /embed for this dashboard's page, its
    embeds and its statements."""
    fmt = request.args.get("format", "json")
    if fmt != "json":
        return _oembed_error(501, f"'format': only json is provided, not {fmt!r}")
    url = request.args.get("url", "")
    if not url:
        return _oembed_error(400, "'url' is required: the address of a page of this dashboard")
    try:
        maxwidth, maxheight = _positive("maxwidth"), _positive("maxheight")
    except BadParameter as error:
        return _oembed_error(400, str(error))
    target = _resolve(url)
    if target is None:
        return _oembed_error(404, f"{url!r} is not a page of this dashboard that can be embedded")
    endpoint, view_args, args = target
    now = timecalc.utcnow()
    content = live_pages().content(now)
    if endpoint != "embed.widget":  # the page or a statement: the default widget, same language
        args = MultiDict({"lang": args["lang"]} if args.get("lang") in LOCALES else {})
    try:
        query = parse_query(args, content)
    except BadParameter as error:
        return _oembed_error(404, f"{url!r} is not a working embed: {error}")
    title = content.title
    if endpoint == "public.statement":
        with current_app.extensions["dashboard.store"].session() as session:
            item = store.statement_by_slug(session, view_args["slug"])
        if item is None:
            return _oembed_error(404, f"{url!r}: there is no such statement")
        title = item.title

    shot = live_pages().snapshot(now, query.locale)
    width = min(OEMBED_WIDTH, maxwidth or OEMBED_WIDTH)
    height = estimate_height(shot, query, width)
    if maxheight:
        height = min(height, maxheight)
    origin = request.host_url.rstrip("/")
    src = origin + url_for("embed.widget") + "?" + query.query_string()
    html = Markup(
        '<iframe src="{}" width="{}" height="{}" title="{}" style="border:0" loading="lazy">'
        "</iframe>"
    ).format(src, width, height, shot.title)
    response = jsonify(
        type="rich",
        version="1.0",
        title=title,
        provider_name=content.title,
        provider_url=origin + url_for("public.index"),
        cache_age=OEMBED_CACHE_AGE,
        html=str(html),
        width=width,
        height=height,
    )
    response.headers["Cache-Control"] = f"public, max-age={OEMBED_CACHE_AGE}"
    return response


@pass_context
def oembed_link(context) -> Markup:
    """<link rel="alternate"> to oEmbed for the page being rendered, where it has one. The bytes
    may be warmed outside any request, so the origin is a mark filled in per request."""
    shot = context.get("shot")
    if shot is None or request.endpoint not in ("public.index", "public.statement"):
        return Markup("")
    page = ORIGIN + url_for(request.endpoint, **(request.view_args or {}), lang=shot.locale)
    href = ORIGIN + url_for("embed.oembed", url=page, format="json")
    return Markup(
        '<link rel="alternate" type="application/json+oembed" href="{}" title="{}">'
    ).format(href, shot.title)


# -- framing ----------------------------------------------------------------------------------
@lru_cache(maxsize=8)
def embed_frame_ancestors(configured: str) -> str:
    """frame-ancestors for /embed: '*', or 'self' (the builder's preview) and the listed ones."""
    sources = settings.embed_origins(configured)
    if "*" in sources:
        return "*"
    return " ".join(["'self'", *(s for s in sources if s not in ("'self'", "'none'"))])


FRAME_ANCESTORS = re.compile(r"(^|;)\s*frame-ancestors(\s|;|$)", re.I)


def add_framing_headers(response: Response) -> Response:
    """/embed may be framed by EMBED_ALLOWED_ORIGINS; everything else by this origin only. A CSP
    set elsewhere keeps its other directives, and a frame-ancestors of its own."""
    if request.endpoint in EMBEDDABLE:
        ancestors = embed_frame_ancestors(current_app.config["EMBED_ALLOWED_ORIGINS"])
    else:
        ancestors = "'self'"
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    csp = response.headers.get("Content-Security-Policy")
    if csp is None:  # the usual case, on every public request
        response.headers["Content-Security-Policy"] = f"frame-ancestors {ancestors}"
        return response
    csp = csp.strip().rstrip(";").strip()
    if not FRAME_ANCESTORS.search(csp):
        directive = f"frame-ancestors {ancestors}"
        response.headers["Content-Security-Policy"] = f"{csp}; {directive}" if csp else directive
    return response


def init_app(app: Flask) -> None:
    # A bad EMBED_ALLOWED_ORIGINS fails at start-up, naming the entry, not on a reader's request.
    embed_frame_ancestors(app.config["EMBED_ALLOWED_ORIGINS"])
    app.after_request(add_framing_headers)
    app.jinja_env.globals["oembed_link"] = oembed_link
    app.extensions["dashboard.live"].register_family(usual_embeds)
    app.register_blueprint(bp)
