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


def test_deploy_holds_the_nginx_configuration_the_command_prints(runner):
    printed = runner.invoke(args=["nginx-config"])
    assert printed.exit_code == 0, printed.output
    kept = (UNIT.parent / "nginx.conf").read_text(encoding="utf-8")
    # After a change to the template or the languages: dashboard nginx-config > deploy/nginx.conf
    assert kept == printed.output
