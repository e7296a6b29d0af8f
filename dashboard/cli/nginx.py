"""`dashboard nginx-config`: the nginx configuration for a cache in front of the dashboard."""

from __future__ import annotations

COMMANDS: list = []
