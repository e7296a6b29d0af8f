"""/oembed: oEmbed 1.0 (https://oembed.com) for this dashboard's page, its embeds and its
statements, and the discovery link that pages carry."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from flask import Response, current_app, jsonify, request, url_for
from jinja2 import pass_context
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from dashboard import config
from dashboard.cache.live import ORIGIN_MARK, live_pages
from dashboard.content import store
from dashboard.content.store import current_store
from dashboard.core import timecalc
from dashboard.web import params
from dashboard.web.embed.blueprint import bp
from dashboard.web.embed.query import estimate_height, parse_query
from dashboard.web.params import BadParameter
from dashboard.web.public.views import PAGE

ORIGIN = ORIGIN_MARK.decode()  # filled with this request's origin when the bytes are served
OEMBED_TARGETS = ("public.index", "public.statement", "embed.widget")


def _oembed_error(status: int, message: str) -> Response:
    response = jsonify(error=message)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


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


OEMBED = params.Query(
    "embed.oembed",
    format=params.Text(20),  # only json; anything else is 501, as oEmbed says
    url=params.Text(4000),
    maxwidth=params.Whole(1, config.OEMBED_MAX_PIXELS, unit="of pixels"),
    maxheight=params.Whole(1, config.OEMBED_MAX_PIXELS, unit="of pixels"),
)


@bp.get("/oembed")
def oembed():
    """oEmbed 1.0 (https://oembed.com): a `rich` iframe of /embed for this dashboard's page, its
    embeds and its statements."""
    try:
        values = OEMBED.read()
    except BadParameter as error:
        return _oembed_error(400, str(error))
    fmt, url = values["format"] or "json", values["url"]
    if fmt != "json":
        return _oembed_error(501, f"'format': only json is provided, not {fmt!r}")
    if not url:
        return _oembed_error(400, "'url' is required: the address of a page of this dashboard")
    maxwidth, maxheight = values["maxwidth"], values["maxheight"]
    target = _resolve(url)
    if target is None:
        return _oembed_error(404, f"{url!r} is not a page of this dashboard that can be embedded")
    endpoint, view_args, args = target
    now = timecalc.utcnow()
    content = live_pages().content(now)
    if endpoint != "embed.widget":  # the page or a statement: the default widget, same language
        lang = PAGE.parse(args)["lang"]
        args = MultiDict({"lang": lang} if lang else {})
    try:
        query = parse_query(args, content)
    except BadParameter as error:
        return _oembed_error(404, f"{url!r} is not a working embed: {error}")
    title = content.title
    if endpoint == "public.statement":
        with current_store().session() as session:
            item = store.statement_by_slug(session, view_args["slug"])
        if item is None:
            return _oembed_error(404, f"{url!r}: there is no such statement")
        title = item.title

    shot = live_pages().snapshot(now, query.locale)
    width = min(config.OEMBED_WIDTH, maxwidth or config.OEMBED_WIDTH)
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
        cache_age=current_app.config["OEMBED_CACHE_SECONDS"],
        html=str(html),
        width=width,
        height=height,
    )
    response.headers["Cache-Control"] = (
        f"public, max-age={current_app.config['OEMBED_CACHE_SECONDS']}"
    )
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
