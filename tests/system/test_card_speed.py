"""Drawing a share card takes well under 100 ms of CPU: every image `python -m bench.cards`
measures (the demo's cards and badges in each language, a 300-character event, a long Russian
title), drawn afresh a few times. The bench keeps working this way too."""

from __future__ import annotations

import pytest

from bench import cards


@pytest.mark.system
def test_every_card_and_badge_draws_in_well_under_100_ms():
    found = cards.cases()
    names = [name for name, _ in found]
    assert any(name.startswith("statement card") for name in names)
    assert "counter card, 300-character event" in names
    slow = {}
    for name, (draw, argument) in found:
        figures = cards.measure(draw, argument, samples=3)
        assert figures["bytes"] > 500, name
        if figures["cpu_median_ms"] >= 100:
            slow[name] = figures
    assert not slow
