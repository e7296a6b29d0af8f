"""/board over HTTP: what it shows comes from the snapshot, it keeps itself current as the
page does, and it reads the embed's parameters with the embed's own errors.

Time is frozen at the reference instant (17:58:00Z on 26 January 2020, GMT): Moscow 20:58,
London 17:58, Salisbury at 693 days and Glushkov at 685, London's midnight 21,720 s away.
"""

from __future__ import annotations

import datetime as dt
import html
import re

import time_machine

from dashboard.cache import keys
from dashboard.cache.live import EXTENSION as LIVE
from tests.helpers.reference import REFERENCE_INSTANT, visible_text

TO_LONDON_MIDNIGHT = 21_720


def test_the_board_shows_the_snapshot_and_keeps_itself_current(app, client, at_reference):
    response = client.get("/board")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    with app.app_context():
        shot = app.extensions[LIVE].snapshot(REFERENCE_INSTANT, "en")
    text = visible_text(page)
    assert shot.date.text == "26 January 2020" and shot.date.text in text
    for clock in shot.clocks:  # Moscow 20:58, London 17:58
        assert f'<span class="clock-label">{clock.label}</span>' in page
        assert f">{clock.time}</time>" in page
    for counter in shot.counters:
        assert f'<span class="counter-days">{counter.number}</span>' in page
        assert counter.note in text
    assert "days have passed since the Salisbury incident" in text
    # The featured headline shows first; the newest others follow; plain text, no links.
    titles = [
        html.unescape(t) for t in re.findall(r'<span class="headline-title">([^<]+)</span>', page)
    ]
    assert titles == [s.item.title for s in [shot.featured, *shot.latest][:5]]
    assert page.count("headline shown") == 1 and "<a " not in page
    # Kept current as the page is: the live block asks for itself at the next minute, and
    # names its statements as the page's does.
    assert 'hx-get="/board?lang=en"' in page and "load delay:60100ms" in page
    assert f'data-statements="{shot.statements_mark}"' in page
    assert '<noscript><meta http-equiv="refresh" content="61"></noscript>' in page
    assert '<meta name="robots" content="noindex">' in page
    # The build it was made by, in its files' URLs and in the live block, which a new
    # version's block names differently (static/board.js then reloads, after a probe).
    build = re.search(r'<body class="board theme-auto" data-build="(\w+)">', page).group(1)
    assert f"/static/board.js?v={build}" in page and f'data-build="{build}"\n' in page
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert response.headers["Vary"] == "HX-Request"
    assert response.headers["X-Robots-Tag"] == "noindex"
    etag = response.headers["ETag"]
    assert client.get("/board", headers={"If-None-Match": etag}).status_code == 304

    fragment = client.get("/board?lang=en", headers={"HX-Request": "true"})
    block = fragment.get_data(as_text=True)
    assert block.startswith('<section id="live"') and "<html" not in block
    assert block.strip() in page and fragment.headers["ETag"] != etag

    # The scheduler warms it, page and live block, in every language.
    with app.app_context():
        pages = app.extensions[LIVE]
        warmed = {key for family in pages.families for key, *_ in family(pages.content(shot.at))}
    assert {
        keys.board(f"lang={locale}", fragment)
        for locale in ("en", "ru")
        for fragment in (False, True)
    } <= warmed


def test_the_board_takes_the_embeds_parameters_in_russian_too(client, at_reference):
    response = client.get("/board?lang=ru&clocks=moscow&counters=SALISBURY")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    text = visible_text(page)
    assert '<html lang="ru">' in page and "26 января 2020 г." in text
    assert "Москва" in text and "20:58" in text and "Лондон" not in text
    assert "693" in text and "дня прошло с инцидента в Солсбери" in text
    assert "Глушков" not in text
    # The same normalised query as the embed's, in the URL it asks for itself again.
    assert 'hx-get="/board?clocks=Moscow&amp;counters=salisbury&amp;lang=ru"' in page
    assert "обновлено 17:58" in page  # the stale note, hidden until updates stop

    # Counters only: asked again at their midnight, which is also the date line's.
    counters_only = client.get("/board?counters=salisbury")
    assert counters_only.headers["Cache-Control"] == f"public, max-age={TO_LONDON_MIDNIGHT}"

    for query, parameter in [
        ("clocks=Paris", "'clocks': there is no clock labelled 'Paris'"),
        ("counters=salisbury,nope", "'counters': there is no counter called 'nope'"),
        ("lang=de", "'lang' must be one of en, ru, not 'de'"),
        ("theme=blue", "'theme' must be one of auto, light, dark"),
    ]:
        bad = client.get(f"/board?{query}")
        embed = client.get(f"/embed?{query}")
        assert bad.status_code == embed.status_code == 400, query
        assert parameter in html.unescape(bad.get_data(as_text=True)), query
        assert bad.headers["Cache-Control"] == "no-store", query


def test_the_board_turns_the_day_at_the_counters_midnight(client):
    with time_machine.travel(dt.datetime(2020, 1, 26, 23, 59, 30, tzinfo=dt.UTC), tick=False):
        before = client.get("/board?counters=salisbury")
    assert before.headers["Cache-Control"] == "public, max-age=30"
    assert '<span class="counter-days">693</span>' in before.get_data(as_text=True)
    with time_machine.travel(dt.datetime(2020, 1, 27, tzinfo=dt.UTC), tick=False):
        after = client.get("/board?counters=salisbury").get_data(as_text=True)
    assert '<span class="counter-days">694</span>' in after and "27 January 2020" in after
