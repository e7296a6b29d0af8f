"""SECRET_KEY: signs admin sessions and CSRF tokens. A web app never starts without one.

Where it comes from, in order:
1. the SECRET_KEY setting (environment variable, or the app's config);
2. the file `secret_key` in the instance folder, which `dashboard serve` writes (random, mode
   0600) the first time it runs without SECRET_KEY, so the README's demo command just works
   and sessions survive restarts;
3. in tests (TESTING) or the debug server only: a random key for this process.
Otherwise create_app() raises MissingSecretKey. The CLI's own process (loading files, making
tokens) signs nothing, so it does not need a key.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

FILE_NAME = "secret_key"
MIN_LENGTH = 16


class MissingSecretKey(RuntimeError):
    def __init__(self, path: Path):
        super().__init__(
            "SECRET_KEY is not set, and there is no key file at "
            f"{path}. Set SECRET_KEY to a long random string (for example the output of "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`), the same on every "
            "machine serving this site, or run `dashboard serve` once, which writes one there."
        )


def key_path(instance_path: str | Path) -> Path:
    return Path(instance_path) / FILE_NAME


def read_key_file(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return text or None


def ensure_key_file(instance_path: str | Path) -> tuple[Path, bool]:
    """The instance folder's key file, created with a random key if missing.
    Returns its path and whether it was created now."""
    path = key_path(instance_path)
    if read_key_file(path):
        return path, False
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race: use its key
        return path, False
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    return path, True


def register(app: Flask, required: bool = True) -> None:
    if app.config.get("SECRET_KEY"):
        if len(str(app.config["SECRET_KEY"])) < MIN_LENGTH and not app.testing:
            app.logger.warning("SECRET_KEY is short; use at least 32 random characters")
        return
    path = key_path(app.instance_path)
    from_file = read_key_file(path)
    if from_file:
        app.config["SECRET_KEY"] = from_file
    elif app.testing or app.debug:
        app.config["SECRET_KEY"] = secrets.token_hex(32)  # sessions last as long as the process
    elif required:
        raise MissingSecretKey(path)
