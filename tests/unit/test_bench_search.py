"""The search benchmark keeps working as the code under it moves: a run at a tiny size goes
end to end and reports every figure (bench/search.py; the real sizes are 1,000 and 100,000)."""

from __future__ import annotations

import pytest

from bench import search
from tests.helpers.databases import postgres_url


@pytest.mark.system  # a second or more: in the full suite, not the fast tier
def test_the_search_benchmark_runs_at_a_tiny_size(tmp_path):
    server = postgres_url()  # on the tests' PostgreSQL server when they use one
    server_text = server.render_as_string(hide_password=False) if server else None
    result = search.measure(tmp_path, (8, 40), samples=2, server=server_text, warmup=0)
    for size in ("8", "40"):
        for name in search.PATHS:
            figure = result["figures"][size][name]
            assert 0 < figure["p50_ms"] <= figure["p99_ms"], (size, name)
    assert set(result["ratios"]) == {"rare_p50", "rare_p99", "common_p50", "common_p99"}
    lines = search.report_lines(result)
    assert lines[0].startswith("8  search") and any("rare word at 40" in line for line in lines)
