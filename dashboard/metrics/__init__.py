"""Prometheus metrics: the instruments (instruments.py, the only module that defines one),
what a scrape reads (collect.py), and the directory `dashboard serve`'s processes share
(shared_files.py). The view is dashboard/web/metrics.py."""

from __future__ import annotations

from dashboard.metrics.instruments import (
    count_cache_lookup,
    count_feed_poll,
    count_login_throttled,
    count_webhook_delivery,
    observe_request,
    observe_tick,
    set_cache_entries,
)

__all__ = [
    "count_cache_lookup",
    "count_feed_poll",
    "count_login_throttled",
    "count_webhook_delivery",
    "observe_request",
    "observe_tick",
    "set_cache_entries",
]
