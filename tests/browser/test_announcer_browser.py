"""Readers who listen or read Russian, in a real browser: Debian's Chromium through
Playwright, against the demo app on 127.0.0.1 with the pinned htmx. The announcer speaks when a
counter changes and never for the clocks; the page reads in Russian with the right date and
plural forms.

Real time throughout: every expectation that depends on the day is computed from the clock
around the moment the page was read.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from urllib.parse import urlsplit

import pytest
from babel import Locale
from babel.dates import format_date
from playwright.sync_api import expect

from dashboard.core.captions import counter_caption
from tests.helpers.clock import clear_of_boundaries, london_day

pytestmark = pytest.mark.browser

NOTE = "no credible information or response from the British authorities"
NOTE_RU = "никакой достоверной информации или ответа от британских властей"
# slug: (since, event in English, event in Russian - in the genitive the phrase needs)
COUNTERS = {
    "salisbury": (dt.date(2018, 3, 4), "the Salisbury incident", "инцидента в Солсбери"),
    "glushkov": (
        dt.date(2018, 3, 12),
        "the death of Nikolay Glushkov on British soil",
        "гибели Николая Глушкова на британской земле",
    ),
}
# The noun after a Russian number, by CLDR plural category: written out here, not taken from
# dashboard.captions, so a wrong table there cannot agree with itself.
RUSSIAN_DAYS = {"one": "день", "few": "дня", "many": "дней"}
HTMX_READY = "window.htmx !== undefined && window.htmx.version !== undefined"


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# -- the announcer ----------------------------------------------------------------------------
def bumped_counters(fragment: str) -> str:
    """The live fragment as it would be a day later: every counter one more."""

    def bump(match: re.Match) -> str:
        days = int(match.group(2).replace(",", ""))
        return f"{match.group(1)}{days + 1:,}{match.group(3)}"

    changed, count = re.subn(r'(<span class="counter-days">)([\d,]+)(</span>)', bump, fragment)
    assert count == len(COUNTERS), fragment
    return changed


def other_clocks(fragment: str) -> str:
    """The live fragment with its clocks twelve hours off: a change of clocks only."""

    def shift(match: re.Match) -> str:
        hours, minutes = match.group(2).split(":")
        return f"{match.group(1)}{(int(hours) + 12) % 24:02d}:{minutes}{match.group(3)}"

    changed, count = re.subn(r'(class="clock-time"[^>]*>)(\d{2}:\d{2})(</time>)', shift, fragment)
    assert count == 2, fragment
    return changed


def test_announcer_speaks_for_counters_never_for_clocks(live_app, new_context):
    """htmx's real swap of the live block, with live.js listening: the fragment comes from the
    app and only what it says is edited in flight (Playwright routing) - the clocks, or the
    counters - so the test needs no midnight to see a counter change."""
    clear_of_boundaries(before=12)
    page = new_context().new_page()
    edit = {"with": None}

    def fragment_route(route):
        if route.request.headers.get("hx-request") != "true" or edit["with"] is None:
            route.continue_()
            return
        response = route.fetch()
        route.fulfill(response=response, body=edit["with"](response.text()))

    page.route(lambda url: urlsplit(url).path == "/", fragment_route)
    page.goto(live_app.url("/"))
    page.wait_for_function(HTMX_READY)
    announcer = page.locator("#announcer")
    assert announcer.get_attribute("aria-live") == "polite"
    assert announcer.get_attribute("aria-atomic") == "true"
    assert announcer.text_content() == ""
    page.evaluate(
        "() => { window.__settled = 0;"
        " document.addEventListener('htmx:afterSettle', () => { window.__settled += 1; }); }"
    )
    clocks = page.locator("#live .clock-time")
    counters = page.locator("#live .counter-days")

    def refresh(expected_settles: int) -> None:
        page.evaluate("htmx.trigger(document.getElementById('live'), 'dashboard:refresh')")
        page.wait_for_function(f"window.__settled >= {expected_settles}", timeout=10_000)

    # 1. Only the clocks change: the clocks show it, the announcer stays silent.
    before = clocks.all_text_contents()
    edit["with"] = other_clocks
    refresh(1)
    after = clocks.all_text_contents()
    assert after != before and len(after) == 2
    assert announcer.text_content() == ""

    # 2. The counters change (as at midnight): the announcer reads all of them, once.
    read_at = time.time()
    day = london_day(read_at)
    days_now = [int(text.replace(",", "")) for text in counters.all_text_contents()]
    assert days_now == [(day - since).days for since, _, _ in COUNTERS.values()]
    edit["with"] = bumped_counters
    refresh(2)
    expected = " ".join(
        counter_caption((day - since).days + 1, event, NOTE)
        for since, event, _ in COUNTERS.values()
    )
    assert announcer.text_content() == expected
    assert collapse(page.locator("#live .counters").text_content()) == expected
    real_clocks = clocks.all_text_contents()
    assert real_clocks == before

    # 3. The same counters again, with other clocks: nothing new to say.
    page.evaluate("document.getElementById('announcer').textContent = ''")
    edit["with"] = lambda fragment: other_clocks(bumped_counters(fragment))
    refresh(3)
    assert clocks.all_text_contents() == after != real_clocks
    assert announcer.text_content() == ""

    # And the one live region is still the only one, outside the swapped block.
    regions = page.evaluate("[...document.querySelectorAll('[aria-live]')].map(e => e.id)")
    assert regions == ["announcer"]


# -- Russian ----------------------------------------------------------------------------------
def test_the_page_in_russian(live_app, new_context):
    page = new_context().new_page()
    before = time.time()
    page.goto(live_app.url("/?lang=ru"))
    after = time.time()
    page.wait_for_function(HTMX_READY)
    assert page.locator("html").get_attribute("lang") == "ru"
    days = {london_day(before), london_day(after)}

    # The date line: "28 ноября 2026 г." as Babel writes today's date in Russian.
    date_line = page.locator("#live .date-line")
    assert date_line.inner_text() in {format_date(d, "long", locale="ru") for d in days}
    assert re.fullmatch(r"\d{1,2} [а-я]+ \d{4}\s?г\.", date_line.inner_text())

    # The counters, with the plural form their numbers need.
    ru = Locale.parse("ru")
    for slug, (since, _, event) in COUNTERS.items():
        text = collapse(page.locator(f"#counter-{slug}").inner_text())
        assert text in {
            collapse(counter_caption((d - since).days, event, NOTE_RU, "ru")) for d in days
        }
        number, noun = re.match(r"(\d{1,3}(?: \d{3})*) (\w+) ", text).groups()
        count = int(number.replace(" ", ""))
        assert count in {(d - since).days for d in days}
        assert noun == RUSSIAN_DAYS[ru.plural_form(count)], text

    # The interface strings.
    expect(page.get_by_role("heading", name="Последние заявления", level=2)).to_be_visible()
    expect(page.get_by_role("link", name="все сообщения")).to_be_visible()
    current = page.locator(".languages [aria-current]")
    expect(current).to_have_text("Русский")
    expect(page.locator("article.featured")).to_have_attribute("lang", "en")

    # The live block asks for itself in Russian, and stays Russian after a refresh.
    asked = len(live_app.fragment_hits())
    page.evaluate(
        "() => { window.__settled = false; document.addEventListener('htmx:afterSettle',"
        " () => { window.__settled = true; }, {once: true});"
        " htmx.trigger(document.getElementById('live'), 'dashboard:refresh'); }"
    )
    page.wait_for_function("window.__settled === true", timeout=10_000)
    assert len(live_app.fragment_hits()) > asked
    assert page.locator("#live .date-line").inner_text() in {
        format_date(d, "long", locale="ru") for d in days | {london_day(time.time())}
    }
    assert "прош" in page.locator("#live .counters").inner_text()
