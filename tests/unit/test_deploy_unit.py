"""deploy/dashboard.service is the supervisor's supervisor: it starts `dashboard serve` again
whatever ended it, and waits longer for it to stop than it waits for its children."""

from __future__ import annotations

import configparser
from pathlib import Path

from dashboard.cli import supervisor

UNIT = Path(__file__).resolve().parents[2] / "deploy" / "dashboard.service"


def test_the_unit_restarts_dashboard_serve_always_and_outwaits_its_stop():
    unit = configparser.ConfigParser(interpolation=None, strict=False)
    unit.optionxform = str  # systemd's keys are case-sensitive
    unit.read_string(UNIT.read_text(encoding="utf-8"))
    service = unit["Service"]
    assert service["ExecStart"].split()[1:2] == ["serve"]
    assert service["Restart"] == "always"
    assert float(service["TimeoutStopSec"]) > supervisor.STOP_SECONDS
    assert service["KillMode"] == "control-group"
