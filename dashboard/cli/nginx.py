"""`dashboard nginx-config`: the nginx configuration for a cache in front of the dashboard.

The text lives in nginx.conf.j2 beside this file; the language maps come from the language
registry and the lifetimes from the app's settings, so the proxy chooses languages and keeps
files as the app does."""

from __future__ import annotations

import re
from pathlib import Path

import click
import jinja2
from flask import current_app
from flask.cli import with_appcontext

from dashboard import config
from dashboard.i18n.languages import locales

TEMPLATE = "nginx.conf.j2"
DEFAULTS = {
    "listen": "80",
    "server_name": "_",
    "upstreams": ("127.0.0.1:8000",),
    "cache_dir": "/var/cache/nginx/dashboard",
    "cache_max_size": "256m",
}
# Anything that could end a directive or open a block has no place in a value.
UNSAFE = re.compile(r"[;{}\"'#\\\n\r]")
LOCALE_CODE = re.compile(r"[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+)*")

_environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    autoescape=False,  # nginx text, not HTML
)


def nginx_time(seconds: int) -> str:
    """Seconds as nginx writes a time: 300 -> "5m", 3600 -> "1h", 90 -> "90s"."""
    for unit, size in (("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def accept_alternation(codes: tuple[str, ...]) -> str:
    """The regex alternation the Accept-Language map captures: longest first, so that "pt_BR"
    wins over "pt" where both are known, as the app's exact match does; "-" or "_" between
    subtags, as browsers and CLDR write them."""
    ordered = sorted(codes, key=len, reverse=True)
    return "|".join("[-_]".join(map(re.escape, re.split(r"[-_]", code))) for code in ordered)


def render(
    *,
    listen: str = DEFAULTS["listen"],
    server_name: str = DEFAULTS["server_name"],
    upstreams: tuple[str, ...] = DEFAULTS["upstreams"],
    cache_dir: str = DEFAULTS["cache_dir"],
    cache_max_size: str = DEFAULTS["cache_max_size"],
    static_cache_seconds: int,
    session_cookie: str,
) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_]+", session_cookie):
        raise ValueError(f"nginx cannot name the cookie {session_cookie!r} in a variable")
    codes = locales()
    bad = [code for code in codes if not LOCALE_CODE.fullmatch(code)]
    if bad:
        raise ValueError(f"language codes nginx cannot match safely: {bad}")
    return _environment.get_template(TEMPLATE).render(
        listen=listen,
        server_name=server_name,
        upstreams=upstreams,
        cache_dir=cache_dir,
        cache_max_size=cache_max_size,
        inactive=nginx_time(config.NGINX_CACHE_INACTIVE_SECONDS),
        lock_timeout=nginx_time(config.NGINX_CACHE_LOCK_TIMEOUT_SECONDS),
        static_valid=nginx_time(static_cache_seconds),
        locales=codes,
        accept_alternation=accept_alternation(codes),
        session_cookie=session_cookie,
    )


def _safe(_context, param, value):
    for one in value if isinstance(value, tuple) else (value,):
        if not one.strip() or UNSAFE.search(one):
            raise click.BadParameter(f"{one!r} cannot go into an nginx directive", param=param)
    return value


def _absolute(context, param, value):
    _safe(context, param, value)
    if not value.startswith("/"):
        raise click.BadParameter("give an absolute path (nginx reads others from its prefix)")
    return value


def _option(flag: str, help: str, callback=_safe, **extra):
    """An option whose default is the deployment default above, shown in --help."""
    key = extra.pop("key", flag.removeprefix("--").replace("-", "_"))
    names = (flag, key) if key != flag.removeprefix("--").replace("-", "_") else (flag,)
    return click.option(
        *names, default=DEFAULTS[key], show_default=True, callback=callback, help=help, **extra
    )


@click.command("nginx-config")
@_option("--listen", "What nginx listens on: a port, ADDRESS:PORT, or e.g. '443 ssl' with TLS.")
@_option("--server-name", "The site's host name(s), space-separated; '_' answers any Host.")
@_option(
    "--upstream",
    "HOST:PORT where `dashboard serve` listens; repeat it for several web machines.",
    key="upstreams",
    multiple=True,
)
@_option("--cache-dir", "The cache's folder: absolute, writable by nginx's workers.", _absolute)
@_option("--cache-max-size", "The most the cache's folder may hold, as nginx writes sizes (1g).")
@with_appcontext
def nginx_config_command(listen, server_name, upstreams, cache_dir, cache_max_size):
    """Print the nginx configuration for a cache in front of the dashboard (for nginx's http {}
    context, e.g. /etc/nginx/conf.d/dashboard.conf). Its language maps follow the app's
    languages and its lifetimes the app's settings (STATIC_CACHE_SECONDS): run it again after
    changing either."""
    try:
        text = render(
            listen=listen,
            server_name=server_name,
            upstreams=tuple(upstreams),
            cache_dir=cache_dir,
            cache_max_size=cache_max_size,
            static_cache_seconds=int(current_app.config["STATIC_CACHE_SECONDS"]),
            session_cookie=current_app.config["SESSION_COOKIE_NAME"],
        )
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(text, nl=False)


COMMANDS = [nginx_config_command]
