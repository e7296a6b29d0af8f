"""pyproject.toml names the release as dashboard/version.py does, and .ci/constraints.txt pins
every package it asks for, so CI's install is the same every night."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from dashboard.version import DISTRIBUTION

ROOT = Path(__file__).resolve().parents[2]


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(requirement: str) -> str:
    return _canonical(re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement).group(0))


def test_the_project_is_named_and_described_from_one_place():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["name"] == DISTRIBUTION != "dashboard"
    assert project["dynamic"] == ["version"] and "version" not in project
    assert project["license"] == "MIT" and (ROOT / "LICENSE").read_text().startswith("MIT")
    assert {"Homepage", "Source", "Issues"} <= set(project["urls"])
    assert project["scripts"] == {"dashboard": "dashboard.cli:main"}


def test_constraints_pin_every_dependency_and_test_dependency():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = {
        _requirement_name(r)
        for r in [*project["dependencies"], *project["optional-dependencies"]["test"]]
    }
    pins = {}
    for line in (ROOT / ".ci" / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"not an exact pin: {line!r}"
            pins[_canonical(name)] = version
    missing = sorted(wanted - set(pins))
    assert missing == [], f"run .ci/refresh-constraints: {missing} are not pinned"


def test_the_feed_poller_and_the_atom_feed_name_this_version():
    from dashboard.feeds import fetch
    from dashboard.version import VERSION

    assert fetch.USER_AGENT.startswith(f"{DISTRIBUTION}/{VERSION} ")


def test_atom_generator_carries_the_version(client, at_reference):
    from dashboard.version import VERSION

    feed = client.get("/feed.atom").get_data(as_text=True)
    assert re.search(rf'<(\w+:)?generator [^>]*version="{re.escape(VERSION)}"', feed), feed[:600]
