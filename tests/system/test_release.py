"""The release as a user meets it: `dashboard --version` prints the one version the metadata
holds, and `--env-file` loads its settings (python-dotenv is a dependency)."""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata

from dashboard.version import DISTRIBUTION, VERSION

DASHBOARD = [sys.executable, "-m", "dashboard"]


def test_version_is_the_installed_distributions():
    assert metadata.version(DISTRIBUTION) == VERSION
    printed = subprocess.run([*DASHBOARD, "--version"], capture_output=True, text=True, timeout=60)
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.strip() == f"dashboard, version {VERSION}"


def test_env_file_settings_reach_the_commands(tmp_path):
    database = tmp_path / "from-env-file.sqlite3"
    env_file = tmp_path / "dashboard.env"
    env_file.write_text(f"DATABASE_URL=sqlite:///{database}\n", encoding="utf-8")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    migrated = subprocess.run(
        [*DASHBOARD, "--env-file", str(env_file), "migrate"],
        capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert migrated.returncode == 0, migrated.stderr
    assert database.exists()
    # A bad value in the file is named, as it is when set in the environment.
    env_file.write_text("PROXY_COUNT=many\n", encoding="utf-8")
    refused = subprocess.run(
        [*DASHBOARD, "--env-file", str(env_file), "migrate"],
        capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert refused.returncode != 0
    assert "PROXY_COUNT" in refused.stderr
