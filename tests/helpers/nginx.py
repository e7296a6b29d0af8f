"""Debian's nginx running what `dashboard nginx-config` prints, on 127.0.0.1, for the deploy
test and the benchmark; and reading the language maps out of that configuration."""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import re
import shutil
import signal
import subprocess
from pathlib import Path

from tests.helpers import SetupError
from tests.helpers.servers import HOST, request, wait_for_port

TEMP_KINDS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


def find_nginx() -> str:
    configured = os.environ.get("DASHBOARD_TEST_NGINX")
    candidates = [configured] if configured else []
    candidates += [shutil.which("nginx"), "/usr/sbin/nginx", "/usr/bin/nginx"]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    raise SetupError(
        "nginx is not installed, so the configuration `dashboard nginx-config` prints cannot "
        "be run: install Debian's `nginx` package (apt-get install -y nginx), or point "
        "DASHBOARD_TEST_NGINX at an nginx binary"
    )


def config_args(*, port: int, upstream: int, cache_dir: Path, server_name: str = "localhost"):
    """The `dashboard nginx-config` arguments for nginx on 127.0.0.1:port in front of the app on
    127.0.0.1:upstream (for the Flask CLI runner, or after `python -m dashboard`)."""
    return [
        "nginx-config",
        "--listen", f"{HOST}:{port}",
        "--server-name", server_name,
        "--upstream", f"{HOST}:{upstream}",
        "--cache-dir", str(cache_dir),
    ]  # fmt: skip


def main_conf(
    folder: Path,
    deploy: str,
    *,
    workers: str = "1",
    connections: int = 256,
    log_format: str | None = None,
    http_extra: str = "",
    servers: str = "",
) -> str:
    """A whole nginx.conf around the deploy configuration, with every file nginx writes kept
    in `folder`. `log_format` (if any) is the access log's format; `servers` are more server
    blocks beside the deploy one."""
    user = ""
    if os.geteuid() == 0:  # workers would run as nobody, who cannot enter a private temp folder
        user = f"user {pwd.getpwuid(0).pw_name} {grp.getgrgid(0).gr_name};"
    temp = "\n".join(f"    {kind}_temp_path {folder / kind};" for kind in TEMP_KINDS)
    access = f"    access_log {folder / 'access.log'};"
    if log_format is not None:
        access = (
            f"    log_format measured '{log_format}';\n"
            f"    access_log {folder / 'access.log'} measured buffer=64k flush=1s;"
        )
    return f"""{user}
worker_processes {workers};
error_log {folder / "error.log"} warn;
events {{ worker_connections {connections}; }}
http {{
    default_type application/octet-stream;
{access}
{temp}
{http_extra}
# ---- dashboard nginx-config ----
{deploy}
# ---- end of dashboard nginx-config ----
{servers}
}}
"""


class Nginx:
    """nginx with `conf` (a whole nginx.conf), from the configuration check until it stops;
    ready once every one of `ports` accepts connections."""

    def __init__(self, binary: str, folder: Path, conf: str, ports: list[int]):
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.ports = ports
        self.access_log = folder / "access.log"
        conf_path = folder / "nginx.conf"
        conf_path.write_text(conf)
        log = str(folder / "error.log")
        self.argv = [binary, "-c", str(conf_path), "-p", str(folder), "-e", log]
        self.globals = f"daemon off; pid {folder / 'nginx.pid'};"
        self.process: subprocess.Popen | None = None

    @property
    def port(self) -> int:
        return self.ports[0]

    def url(self, path: str = "/", port: int | None = None) -> str:
        return f"http://{HOST}:{port or self.port}{path}"

    def __enter__(self) -> Nginx:
        check = subprocess.run(
            [*self.argv, "-t", "-g", self.globals], capture_output=True, text=True, check=False
        )
        if check.returncode != 0:
            raise RuntimeError(f"nginx rejects {self.folder / 'nginx.conf'}:\n{check.stderr}")
        with open(self.folder / "nginx.out", "wb") as out:
            self.process = subprocess.Popen(
                [*self.argv, "-g", self.globals],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # stopped by its owner, not by the terminal's Ctrl-C
            )
        try:
            for port in self.ports:
                wait_for_port(port, self.process, log=self.log)
        except BaseException:
            self.__exit__()
            raise
        return self

    def log(self) -> str:
        texts = []
        for name in ("nginx.out", "error.log"):
            with contextlib.suppress(OSError):
                texts.append((self.folder / name).read_text(errors="replace"))
        return "\n".join(texts)

    def __exit__(self, *exc: object) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # the master stops its workers
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)

    def get(self, path: str, headers: dict[str, str] | None = None, port: int | None = None):
        return request(port or self.port, "GET", path, headers)

    def request(self, method: str, path: str, headers: dict | None = None, body=None):
        return request(self.port, method, path, headers, body)


# -- the language maps ------------------------------------------------------------------------
MAP = re.compile(r"^map \$(\w+) \$(\w+) \{\n(.*?)^\}", re.M | re.S)
ACCEPT_ALTERNATION = re.compile(r"\(\?<first>([^)]*)\)")


def language_maps(conf: str) -> dict[str, dict[str, str]]:
    """Each `map` block's entries, by the variable it sets, leaving out `default`. The
    Accept-Language map's one regex counts as an entry per code it captures, each answering
    that code."""
    found: dict[str, dict[str, str]] = {}
    for source, target, body in MAP.findall(conf):
        if source == "http_accept_language":
            alternation = ACCEPT_ALTERNATION.search(body).group(1)
            codes = [code.replace("[-_]", "_") for code in alternation.split("|")]
            found[target] = {code: code for code in codes}
        else:
            entries = re.findall(r"^\s*(\S+)\s+(\S+);$", body, re.M)
            found[target] = {key: value for key, value in entries if key != "default"}
    return found
