"""Rendered bytes kept per minute: the cache keys (keys.py), the per-process memory and the
scheduler's warmed copies (live.py), and HTTP caching of them (http.py)."""

from __future__ import annotations

from dashboard.cache import live
from dashboard.content import store


def register(app) -> None:
    pages = live.LivePages(app)
    app.extensions[live.EXTENSION] = pages
    # A write in this process shows at once here; others notice the new revision within a minute.
    store.store_of(app).listeners.append(pages.invalidate)
