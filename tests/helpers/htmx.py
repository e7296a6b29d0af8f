"""The pinned htmx (and other npm files), fetched with the npm client, never from a hard-coded
registry address, and checked against the SRI hash the template emits before any browser
sees it. Packed once into a cache shared by the tests and the benchmark."""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from dashboard import config
from tests.helpers import SetupError

CACHE_DIR = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "dashboard-tests"
HTMX_PACKAGE = "htmx.org"
HTMX_MEMBER = "package/dist/htmx.min.js"


def sri_sha384(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode("ascii")


def tarball_path(package: str, version: str) -> Path:
    """Where `npm pack package@version` leaves its tarball in the cache."""
    return CACHE_DIR / f"{package.lstrip('@').replace('/', '-')}-{version}.tgz"


def pinned_htmx() -> bytes:
    """package/dist/htmx.min.js of htmx.org@HTMX_VERSION, checked against
    dashboard.config.HTMX_SRI, which the template uses."""
    return packed_npm_file(HTMX_PACKAGE, config.HTMX_VERSION, HTMX_MEMBER, config.HTMX_SRI)


def packed_npm_file(package: str, version: str, member: str, sri: str) -> bytes:
    """`member` of `package@version` as `npm pack` gives it (cached, reused when present),
    checked against a pinned SRI hash."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    tarball = tarball_path(package, version)
    if not tarball.is_file():
        npm = shutil.which("npm")
        if npm is None:
            raise SetupError(f"npm is needed to fetch {package}@{version}: apt-get install npm")
        # Packed aside and moved into place whole: another run sharing the cache never reads
        # a half-written file.
        with tempfile.TemporaryDirectory(dir=CACHE_DIR) as aside:
            result = subprocess.run(
                [npm, "pack", f"{package}@{version}", "--pack-destination", aside],
                capture_output=True,
                text=True,
                timeout=180,
                check=False,
            )
            packed = Path(aside) / tarball.name
            if result.returncode != 0 or not packed.is_file():
                raise SetupError(
                    f"`npm pack {package}@{version}` failed ({result.returncode}):\n"
                    f"{result.stdout}\n{result.stderr}"
                )
            os.replace(packed, tarball)
    try:
        with tarfile.open(tarball, "r:gz") as archive:
            extracted = archive.extractfile(member)
            if extracted is None:
                raise SetupError(f"{tarball} has no {member}")
            with extracted:
                data = extracted.read()
    except (tarfile.TarError, KeyError, OSError) as error:
        raise SetupError(
            f"cannot read {member} from {tarball} ({error}); delete it to re-fetch"
        ) from error
    found = sri_sha384(data)
    if found != sri:
        raise SetupError(f"{package}@{version} {member} hashes to {found}, not the pinned {sri}")
    return data
