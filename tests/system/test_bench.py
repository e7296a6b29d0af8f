"""bench/ keeps working as the code under it moves: every module imports, `bench/run --help`
prints its options, and the run with no parts goes end to end."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODULES = sorted(path.stem for path in (ROOT / "bench").glob("*.py") if path.stem != "__main__")


@pytest.mark.parametrize("name", MODULES)
def test_every_bench_module_imports(name):
    importlib.import_module(f"bench.{name}")


def run_bench(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHON": sys.executable}
    return subprocess.run(
        [str(ROOT / "bench" / "run"), *args],
        cwd="/",  # bench/run finds the checkout itself
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_bench_run_help_lists_its_options():
    result = run_bench("--help")
    assert result.returncode == 0, result.stderr
    for option in ("--only", "--rounds", "--idle-page", "--boundary-pages", "--soak", "--json"):
        assert option in result.stdout


def test_bench_run_with_no_parts_reports_and_stops(tmp_path):
    result = run_bench("--only", "none", "--json", str(tmp_path / "out.json"))
    assert result.returncode == 0, result.stderr
    assert "dashboard benchmark" in result.stdout
    assert "7  soak: not run" in result.stdout
    assert (tmp_path / "out.json").read_text().startswith("{")
