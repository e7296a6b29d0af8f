"""Site files: TOML in (reader.py) and out (writer.py), each table through its entity's schema
(dashboard/content/schema/)."""

from __future__ import annotations

from dashboard.content.sitefile.reader import (
    DEMO_PATH,
    LoadReport,
    SiteFileError,
    SiteSpec,
    apply,
    load,
    parse,
    read_file,
)
from dashboard.content.sitefile.writer import dumps, site_document, write_atomically

__all__ = [
    "DEMO_PATH",
    "LoadReport",
    "SiteFileError",
    "SiteSpec",
    "apply",
    "dumps",
    "load",
    "parse",
    "read_file",
    "site_document",
    "write_atomically",
]
