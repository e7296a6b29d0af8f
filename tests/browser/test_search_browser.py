"""Searching in a real browser: as the reader types, htmx swaps the results in place and the
address follows; with JavaScript off the same form submits and the page answers."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.helpers.chromium import ARTIFACTS

pytestmark = pytest.mark.browser

HTMX_READY = "window.htmx !== undefined && window.htmx.version !== undefined"


def test_results_follow_the_typing_without_a_reload(live_app, new_context):
    page = new_context().new_page()
    page.goto(live_app.url("/statements"))
    page.wait_for_function(HTMX_READY)
    page.evaluate("window.__same_document = true")
    page.locator("#search-q").press_sequentially("lavrov", delay=40)
    expect(page.locator("#results mark").first).to_have_text("Lavrov", ignore_case=True)
    expect(page).to_have_url(re.compile(r".*/statements\?q=lavrov(&|$)"))
    assert page.evaluate("window.__same_document") is True  # swapped, not navigated
    page.locator("#search-month").select_option("11")
    page.locator("#search-year").fill("2019")
    expect(page).to_have_url(re.compile(r".*/statements\?q=lavrov&year=2019&month=11$"))
    dates = page.locator("#results time").all_inner_texts()
    assert dates and all(text.endswith(".11.2019") for text in dates), dates
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "search.png"), full_page=True)


def test_the_form_searches_with_javascript_off(live_app, new_context):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(live_app.url("/statements"))
    page.locator("#search-q").fill("посольства")
    page.locator("#search-q").press("Enter")
    expect(page).to_have_url(re.compile(r".*/statements\?q=%D0%BF%D0%BE%D1%81.*"))
    expect(page.locator("#results")).to_be_visible()
    page.locator("#search-q").fill("lavrov")
    page.locator("#search-q").press("Enter")
    expect(page.locator("#results mark").first).to_have_text("Lavrov", ignore_case=True)
