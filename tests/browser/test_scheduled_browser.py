"""An open page shows a scheduled statement at its instant by itself: the live block asks
again then, names other statements, and the page puts the new ones in place, no reload."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from dashboard.content import editing
from dashboard.core import timecalc
from tests.helpers.clock import clear_of_boundaries

pytestmark = pytest.mark.browser

TITLE = "Statement published while the page was open"
APPEARS_WITHIN = 2.0  # seconds after its instant


def test_an_open_page_shows_a_statement_at_its_instant(app, live_app, new_context):
    clear_of_boundaries(before=12, after=2)  # the instant, not a minute boundary, must flip it
    instant = timecalc.utcnow().replace(microsecond=0) + dt.timedelta(seconds=6)
    with app.app_context():
        editing.save_statement({"title": TITLE, "published": instant, "featured": True})
    page = new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.goto(live_app.url("/"))
    assert TITLE not in page.inner_text("#main")
    loaded_at = page.evaluate("window.location.href")
    page.wait_for_selector(f"#featured-title:has-text('{TITLE}')", timeout=15000)
    shown_after = time.time() - instant.timestamp()
    assert 0 <= shown_after <= APPEARS_WITHIN, f"shown {shown_after:+.2f}s from its instant"
    assert page.evaluate("window.location.href") == loaded_at
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1  # no reload
