"""Every setting and knob, in one place. Settings (the app's config) can be changed per
deployment, from the environment; knobs are constants of the code, named here so that a page
size, a cache age or a limit is found without searching."""

from __future__ import annotations

import os
import re

from dashboard import setting_kinds as kinds

HTMX_VERSION = "2.0.11"
# Computed from package/dist/htmx.min.js of the npm tarball; tests re-check it against the file.
HTMX_SRI = "sha384-2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg"
HTMX_CDN_URL = f"https://cdn.jsdelivr.net/npm/htmx.org@{HTMX_VERSION}/dist/htmx.min.js"
# The same file, served by the app itself when the CDN cannot be reached (static/vendor/).
HTMX_LOCAL_FILE = f"vendor/htmx-{HTMX_VERSION}.min.js"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMATS = ("text", "json")  # json: one JSON object per line


class SettingError(ValueError):
    """A setting from the environment has a value that cannot be used; the message names the
    variable and what it expects."""


# Every setting read from the environment, as "NAME": kind (text in, value out; a bad value
# raises ValueError). Each kind carries an example it refuses: tests/unit/test_settings.py tries
# it on every key, and checks that the README's settings table lists every key.
ENVIRONMENT_KEYS = {
    # any SQLAlchemy URL; SQLite in the instance folder when unset
    "DATABASE_URL": kinds.database_url(),
    "SECRET_KEY": kinds.secret(min_length=16),  # as web/auth/secretkey.py asks
    "HTMX_URL": kinds.script_url(),  # self-hosters point this at their own copy
    # SRI for HTMX_URL; empty disables the check for a self-hosted copy
    "HTMX_INTEGRITY": kinds.integrity(),
    "INSTANCE_PATH": kinds.folder(),
    # who may frame /embed: origins, space- or comma-separated
    "EMBED_ALLOWED_ORIGINS": kinds.checked_text(
        "origins such as https://a.example (or *, self, none)",
        lambda text: embed_origins(text),
        example="https://a.example https://b.example",
        bad="javascript:alert(1)",
    ),
    # reverse proxies in front (X-Forwarded-For/-Proto are trusted that deep)
    "PROXY_COUNT": kinds.whole_number(minimum=0, maximum=10),
    "STATEMENTS_PER_PAGE": kinds.whole_number(minimum=1, maximum=1000),
    "OEMBED_CACHE_SECONDS": kinds.seconds(whole=True),
    "STATIC_CACHE_SECONDS": kinds.seconds(whole=True),
    # `dashboard serve` replaces a scheduler silent this long
    "SCHEDULER_HANG_SECONDS": kinds.seconds(whole=True),
    # /healthz calls a scheduler stale whose heartbeat is older than this
    "SCHEDULER_STALE_SECONDS": kinds.seconds(whole=True),
    # lets a scraper off this machine read /metrics, as `Authorization: Bearer …`
    "METRICS_TOKEN": kinds.secret(min_length=16),
    "SESSION_COOKIE_SECURE": kinds.boolean(),
    "LOG_LEVEL": kinds.choice(*LOG_LEVELS),
    "LOG_FORMAT": kinds.choice(*LOG_FORMATS),
    # webhooks may go to loopback and private networks (tests, an intranet receiver)
    "WEBHOOK_ALLOW_PRIVATE": kinds.boolean(),
}
# One CSP source expression for frame-ancestors: '*', scheme://host[:port] (an optional leading
# "*." on the host), or 'self' / 'none' (quotes optional). Nothing that could end the directive.
FRAME_SOURCE = re.compile(
    r"\*|https?://(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:(\d{1,5}|\*))?|'?(self|none)'?"
)


# -- knobs ------------------------------------------------------------------------------------
# The years a date or instant may have: statements' publication, counters' `since`, `at=` and
# `snapshot --at`. Before 1900 most zones ran on local mean time (offsets such as -00:01:15);
# the year 1 or 9999 is a typo or a probe, and overflows date arithmetic near its ends.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2200
SCHEDULER_STANDBY_RETRY_SECONDS = 5
# Rendered bytes kept per web process (least recently used go first).
MEMORY_ENTRIES = 512
# The admin's statement list.
ADMIN_PER_PAGE = 50
# /feed.atom
ATOM_ENTRIES = 20
# Preview links to scheduled statements: how long one may work, and how long a new one does.
PREVIEW_MAX_DAYS = 90
PREVIEW_DEFAULT_DAYS = 7
# /api/v1/statements?limit=
API_MAX_LIMIT = 100
API_DEFAULT_LIMIT = 20
# A statement's JSON is one flat object; deeper bodies are refused before anything walks them.
API_MAX_JSON_DEPTH = 8

# Search (/statements?q=): what a query may hold, and how many of the newest matches are ranked
# (docs/performance.md: ranking every match of a common word grows with the archive).
SEARCH_MAX_LENGTH = 200
SEARCH_MAX_WORDS = 20
SEARCH_CANDIDATES = 1000
# /embed
EMBED_MAX_STATEMENTS = 10
OEMBED_WIDTH = 480
OEMBED_MAX_PIXELS = 100_000  # the largest maxwidth/maxheight taken (any more is a probe)
# Colours, named once. ACCENT is --accent in static/dashboard.css (light theme) and --ac in
# templates/embed/widget.html: the same colour, and tests/web/test_badge_look.py fails if they
# drift apart. Badges show it as their message part.
ACCENT = "#8b1a1a"
BADGE_ERROR_COLOR = "#9f9f9f"  # shields.io's lightgrey: "unknown counter" and other errors
# Badges
BADGE_MAX_LABEL = 60
BADGE_LABEL_SHORTEN_AT = 32  # a default label longer than this is cut at a word
# The language cookie, once a reader chose a language in the URL.
LANGUAGE_COOKIE_DAYS = 365
# Feeds in
FEED_MIN_INTERVAL_MINUTES, FEED_MAX_INTERVAL_MINUTES = 1, 7 * 24 * 60
FEED_SUMMARY_CHARS = 600
# Statement bodies, from every writer (admin, API, site files, feeds): the most a body may
# hold, in UTF-8 bytes, and how long rendering it may take (markdown-it is pure Python and
# slow on some markup; a body that takes longer is refused). A 1 MB body of prose renders in
# a quarter of a second; one dense with links and emphasis in about eight.
BODY_MAX_BYTES = 1_000_000
BODY_RENDER_SECONDS = 5.0
# Site files
EXPORT_PROGRESS_FROM = 500  # a progress bar for at least this many statements, on a terminal
# Refused before parsing: larger files, and shapes on which tomllib's memory or recursion
# grows without bound (see sitefile/guard.py). 10,000 statements like the demo's are 17 MB.
SITE_FILE_MAX_BYTES = 64 * 1024 * 1024
SITE_FILE_MAX_KEY_PARTS = 32  # a.b.c is 3; tomllib keeps every prefix of a dotted key
SITE_FILE_MAX_NESTING = 32  # arrays and inline tables inside each other; tomllib recurses
SITE_FILE_MAX_ENTRIES = 1_000_000  # keys, key parts, tables, arrays and inline tables in all
# `dashboard nginx-config`: how long nginx keeps a cached copy nobody asked for (the app's
# max-age decides freshness; this only frees the space), and how long requests for an entry
# being filled wait for it before going to the app themselves.
NGINX_CACHE_INACTIVE_SECONDS = 600
NGINX_CACHE_LOCK_TIMEOUT_SECONDS = 5
# Webhooks out: how often the scheduler looks for due deliveries; the back-off after each failed
# attempt (the last repeats), as Standard Webhooks suggests; how long after its event a
# delivery is retried; and how old a statement's `published` may be for its announcement.
WEBHOOK_PUMP_SECONDS = 2
WEBHOOK_RETRY_SECONDS = (5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600)
WEBHOOK_RETRY_HOURS = 24
WEBHOOK_ANNOUNCE_HOURS = 24
WEBHOOK_LOG_PER_PAGE = 50


def defaults() -> dict:
    return {
        "DATABASE_URL": None,
        "SECRET_KEY": None,
        "HTMX_URL": HTMX_CDN_URL,
        "HTMX_INTEGRITY": HTMX_SRI,
        "STATEMENTS_PER_PAGE": 20,
        # How long caches may keep what does not change with time. Pages, fragments, badges
        # and the API are kept until their content next changes, which the snapshot says.
        "OEMBED_CACHE_SECONDS": 3600,  # an oEmbed answer is an iframe: only edits change it
        "STATIC_CACHE_SECONDS": 300,  # styles and scripts, as nginx keeps them
        "EMBED_ALLOWED_ORIGINS": "*",  # the widget is read-only: anyone may frame it
        # The admin and the write API.
        "PROXY_COUNT": 0,
        "SESSION_COOKIE_SECURE": False,  # also Secure whenever the request came over https
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "dashboard_session",
        "PERMANENT_SESSION_LIFETIME": 8 * 3600,
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,  # forms and JSON; site files load from the CLI
        "ADMIN_PASSWORD_MIN_LENGTH": 12,
        # werkzeug's scrypt at its own cost (n=2**15, r=8, p=1); a stored hash names its own
        # method and cost, so raising this later leaves existing passwords working.
        "PASSWORD_HASH_METHOD": "scrypt",
        "LOGIN_MAX_FAILURES": 5,
        "LOGIN_WINDOW_SECONDS": 15 * 60,
        # Feeds in.
        "FEED_CONNECT_TIMEOUT": 5.0,
        "FEED_READ_TIMEOUT": 15.0,
        "FEED_TOTAL_TIMEOUT": 60.0,  # a server dribbling bytes is cut off after this
        "FEED_MAX_BYTES": 5 * 1024 * 1024,
        # Webhooks out (dashboard/worker/webhooks.py): attempts in flight at once, and how
        # long one waits to connect and for each read of the answer.
        "WEBHOOK_ALLOW_PRIVATE": False,
        "WEBHOOK_CONCURRENCY": 4,
        "WEBHOOK_CONNECT_TIMEOUT": 3.0,
        "WEBHOOK_READ_TIMEOUT": 5.0,
        # Logs: every process, one set-up (dashboard/logs.py).
        "LOG_LEVEL": "INFO",
        "LOG_FORMAT": LOG_FORMATS[0],
        # `dashboard serve`: the scheduler pulses twice a second while it stands by or while
        # its minute ticks keep finishing; one silent this long is stopped and replaced.
        "SCHEDULER_HANG_SECONDS": 120,
        # The scheduler beats every minute: three minutes is two beats missed, and a margin.
        "SCHEDULER_STALE_SECONDS": 180,
        "METRICS_TOKEN": None,  # /metrics from loopback only
    }


def from_environment(environ: os._Environ | dict | None = None) -> dict:
    """The settings the environment sets. Bad values raise one SettingError that names each."""
    environ = os.environ if environ is None else environ
    found, problems = {}, []
    for key, cast in ENVIRONMENT_KEYS.items():
        if key in environ:
            try:
                found[key] = cast(environ[key])
            except ValueError as error:
                problems.append(problem_with(key, error))
    if problems:
        raise SettingError("; ".join(problems))
    # A self-hosted htmx cannot match the CDN file's hash unless one is given with it.
    if "HTMX_URL" in found and "HTMX_INTEGRITY" not in found:
        found["HTMX_INTEGRITY"] = ""
    return found


def problem_with(name: str, error: ValueError) -> str:
    """The message: the kind's words, with the variable's name in front (once)."""
    if isinstance(error, kinds.BadValue):
        return error.reason if name in error.reason else f"{name} {error}"
    return str(error) if name in str(error) else f"{name}: {error}"  # a plain caster, e.g. int


def embed_origins(text: str) -> tuple[str, ...]:
    """EMBED_ALLOWED_ORIGINS as CSP frame-ancestors sources, keywords quoted as CSP wants them;
    a bad entry is an error that names it."""
    sources = []
    for part in re.split(r"[\s,]+", text.strip()):
        if not part:
            continue
        if not FRAME_SOURCE.fullmatch(part):
            raise ValueError(
                f"EMBED_ALLOWED_ORIGINS: {part!r} is not an origin such as https://a.example "
                "(or *, self, none)"
            )
        keyword = part.strip("'")
        sources.append(f"'{keyword}'" if keyword in ("self", "none") else part)
    if not sources:
        raise ValueError(
            "EMBED_ALLOWED_ORIGINS is empty; use * or origins such as https://a.example"
        )
    if "'none'" in sources and len(sources) > 1:
        raise ValueError("EMBED_ALLOWED_ORIGINS: none cannot be combined with other origins")
    return tuple(sources)
