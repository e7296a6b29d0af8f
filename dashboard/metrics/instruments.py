"""Every metric the dashboard exports, defined here once (prometheus_client), and the few
functions the rest of the code calls to count. Nothing else creates a metric.

Under `dashboard serve` every process (both web workers and the scheduler) writes its values to
files in PROMETHEUS_MULTIPROC_DIR, which prometheus_client reads at import, and /metrics adds
them up (dashboard/metrics/collect.py). Without it (tests, `flask run`) this process's registry
is the whole story.
"""

from __future__ import annotations

import os
import re
import threading

from prometheus_client import Counter, Gauge, Histogram

# Read once, as prometheus_client itself reads it when first imported.
MULTIPROCESS_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None

# Most answers come from memory in about a millisecond; renders and slow clients take longer.
REQUEST_BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
# A tick renders every warmed view twice (this minute and the next).
TICK_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)

UNMATCHED_ROUTE = "(unmatched)"  # no URL rule: a 404 or a 405, whatever the path was
OTHER_ROUTE = "(other)"  # past MAX_ROUTE_SERIES: a caller passing raw paths cannot flood us
MAX_ROUTE_SERIES = 2000

CACHE_LAYERS = ("memory", "warmed", "rendered", "waited")
FEED_OUTCOMES = ("ok", "not_modified", "error")
WEBHOOK_OUTCOMES = ("delivered", "failed")  # known at start; others are counted as they come
WEBHOOK_OUTCOME = re.compile(r"[a-z][a-z0-9_]{0,31}")

REQUESTS = Counter(
    "dashboard_http_requests",
    "Requests answered, by route (the URL rule, not the path) and status.",
    ["route", "status"],
)
REQUEST_SECONDS = Histogram(
    "dashboard_http_request_duration_seconds",
    "Time to answer a request, by route (the URL rule).",
    ["route"],
    buckets=REQUEST_BUCKETS,
)
CACHE_LOOKUPS = Counter(
    "dashboard_live_cache_lookups",
    "Live pages' bytes looked up, by the layer that had them: memory (this process), warmed "
    "(rendered by the scheduler, from the database), rendered (a miss, rendered by the "
    "request), waited (another request was rendering them).",
    ["layer"],
)
CACHE_ENTRIES = Gauge(
    "dashboard_live_cache_entries",
    "Rendered pages kept in memory, summed over the running web processes.",
    multiprocess_mode="livesum",
)
TICKS = Counter("dashboard_scheduler_ticks", "Minute ticks the scheduler finished.")
TICK_SECONDS = Histogram(
    "dashboard_scheduler_tick_duration_seconds",
    "Time a minute tick took (warming, heartbeat, looking ahead).",
    buckets=TICK_BUCKETS,
)
FEED_POLLS = Counter(
    "dashboard_feed_polls", "Feeds polled, by outcome: ok, not_modified, error.", ["outcome"]
)
WEBHOOK_DELIVERIES = Counter(
    "dashboard_webhook_deliveries", "Webhook deliveries attempted, by outcome.", ["outcome"]
)
LOGIN_THROTTLED = Counter(
    "dashboard_login_throttled", "Sign-ins refused by the throttle (answered 429)."
)

# Series that exist from the start, at 0: rate() and alerts need no first event.
_CACHE = {layer: CACHE_LOOKUPS.labels(layer) for layer in CACHE_LAYERS}
_FEEDS = {outcome: FEED_POLLS.labels(outcome) for outcome in FEED_OUTCOMES}
for _outcome in WEBHOOK_OUTCOMES:
    WEBHOOK_DELIVERIES.labels(_outcome)

_route_series: dict[tuple[str, int], tuple] = {}
_route_lock = threading.Lock()


def _series_for(route: str, status: int) -> tuple:
    with _route_lock:
        found = _route_series.get((route, status))
        if found is None:
            if len(_route_series) >= MAX_ROUTE_SERIES:
                route = OTHER_ROUTE
            found = (REQUESTS.labels(route, str(status)), REQUEST_SECONDS.labels(route))
            _route_series[(route, status)] = found
        return found


def observe_request(route: str, status: int, seconds: float) -> None:
    """One request answered: `route` is its URL rule (e.g. "/statements/<slug>"), never the
    raw path; `status` the HTTP status; `seconds` how long it took. The Flask hooks call it
    (dashboard/web/metrics.py), and so does anything that answers without Flask."""
    series = _route_series.get((route, status)) or _series_for(route, status)
    series[0].inc()
    series[1].observe(seconds)


def count_cache_lookup(layer: str) -> None:
    """Bytes found in `layer`: memory, warmed, rendered or waited (CACHE_LAYERS)."""
    _CACHE[layer].inc()


def set_cache_entries(count: int) -> None:
    CACHE_ENTRIES.set(count)


def observe_tick(seconds: float) -> None:
    TICKS.inc()
    TICK_SECONDS.observe(seconds)


def count_feed_poll(outcome: str) -> None:
    """ok, not_modified or error (FEED_OUTCOMES)."""
    _FEEDS[outcome].inc()


def count_webhook_delivery(outcome: str) -> None:
    """One webhook delivery attempt ended with `outcome`: a short lowercase word such as
    "delivered", "failed", "retrying" or "gave_up" (letters, digits, _; at most 32). Anything
    else is counted as "invalid" rather than raising in the delivery path."""
    if not WEBHOOK_OUTCOME.fullmatch(outcome):
        outcome = "invalid"
    WEBHOOK_DELIVERIES.labels(outcome).inc()


def count_login_throttled() -> None:
    LOGIN_THROTTLED.inc()
