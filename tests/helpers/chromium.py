"""Debian's Chromium, launched the same way by the browser tests and the benchmark; never
Playwright's own downloaded browsers."""

from __future__ import annotations

import os
from pathlib import Path

from tests.helpers import SetupError

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Screenshots and PDFs a failing browser test leaves for a person to look at.
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def chromium_problem() -> str | None:
    """Why Chromium cannot be launched here, or None."""
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return None
    return f"Chromium is not at {CHROMIUM}: install Debian's `chromium` package"


def launch_chromium(playwright, extra_args: list[str] | None = None):
    if problem := chromium_problem():
        raise SetupError(problem)
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM),
        headless=True,
        args=CHROMIUM_ARGS + (extra_args or []),
    )
