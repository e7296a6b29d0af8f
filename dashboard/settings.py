"""Settings, read from the environment in this one place."""

from __future__ import annotations

import os

HTMX_VERSION = "2.0.11"
# Computed from package/dist/htmx.min.js of the npm tarball; tests re-check it against the file.
HTMX_SRI = "sha384-2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg"
HTMX_CDN_URL = f"https://cdn.jsdelivr.net/npm/htmx.org@{HTMX_VERSION}/dist/htmx.min.js"

ENVIRONMENT_KEYS = {
    "DATABASE_URL": str,  # any SQLAlchemy URL; SQLite in the instance folder when unset
    "SECRET_KEY": str,
    "HTMX_URL": str,  # self-hosters point this at their own copy
    "HTMX_INTEGRITY": str,  # SRI for HTMX_URL; empty disables the check for a self-hosted copy
    "INSTANCE_PATH": str,
}


def defaults() -> dict:
    return {
        "DATABASE_URL": None,
        "SECRET_KEY": None,
        "HTMX_URL": HTMX_CDN_URL,
        "HTMX_INTEGRITY": HTMX_SRI,
        "STATEMENTS_PER_PAGE": 20,
    }


def from_environment(environ: os._Environ | dict | None = None) -> dict:
    environ = os.environ if environ is None else environ
    found = {key: cast(environ[key]) for key, cast in ENVIRONMENT_KEYS.items() if key in environ}
    # A self-hosted htmx cannot match the CDN file's hash unless one is given with it.
    if "HTMX_URL" in found and "HTMX_INTEGRITY" not in found:
        found["HTMX_INTEGRITY"] = ""
    return found
