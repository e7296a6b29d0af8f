"""The nginx configuration in docs/deploy.md, run for real in front of the app.

The block between the `<!-- nginx-conf -->` markers is filled in (ports, cache folder) and run by
Debian's nginx on 127.0.0.1, in front of the app served by werkzeug in a thread. A WSGI wrapper
counts what reaches the app. nginx missing is a failure, not a skip: the doc claims this works.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from dashboard.i18n.languages import locales
from tests.helpers.admin import ADMIN_EMAIL, ADMIN_PASSWORD, TOKEN, make_admin

DOC = Path(__file__).resolve().parents[2] / "docs" / "deploy.md"
CONF_START, CONF_END = "<!-- nginx-conf -->", "<!-- /nginx-conf -->"
HOST = "127.0.0.1"
MAX_AGE = re.compile(r"^public, max-age=(\d+)$")


def find_nginx() -> str:
    configured = os.environ.get("DASHBOARD_TEST_NGINX")
    candidates = [configured] if configured else []
    candidates += [shutil.which("nginx"), "/usr/sbin/nginx", "/usr/bin/nginx"]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    pytest.fail(
        "nginx is not installed, so the tested configuration in docs/deploy.md cannot be "
        "checked: install Debian's `nginx` package (apt-get install -y nginx), or point "
        "DASHBOARD_TEST_NGINX at an nginx binary"
    )


def deploy_block() -> str:
    text = DOC.read_text(encoding="utf-8")
    match = re.search(
        re.escape(CONF_START) + r"\s*```nginx\n(.*?)```\s*" + re.escape(CONF_END), text, re.S
    )
    assert match, f"{DOC} must hold the nginx block between {CONF_START} and {CONF_END}"
    return match.group(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: object, **kwargs: object) -> None:
        pass


class CountingServer:
    """The Flask app behind werkzeug on 127.0.0.1, recording each request that reaches it and
    the Cache-Control it answered with."""

    def __init__(self, app):
        self.app = app
        self.seen: list[tuple[str, bool, str]] = []  # path, HX-Request, Cache-Control
        self._lock = threading.Lock()
        self._server = make_server(
            HOST, 0, self._wsgi, threaded=True, request_handler=_QuietHandler
        )
        self._thread = threading.Thread(target=self._server.serve_forever, name="app-server")

    def _wsgi(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        hx = environ.get("HTTP_HX_REQUEST") == "true"

        def counting_start_response(status, headers, exc_info=None):
            cache_control = dict(headers).get("Cache-Control", "")
            with self._lock:
                self.seen.append((path, hx, cache_control))
            return start_response(status, headers, exc_info)

        return self.app.wsgi_app(environ, counting_start_response)

    def hits(self, path: str, hx: bool | None = None) -> list[tuple[str, bool, str]]:
        with self._lock:
            return [s for s in self.seen if s[0] == path and (hx is None or s[1] == hx)]

    @property
    def port(self) -> int:
        return self._server.server_port

    def __enter__(self) -> CountingServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


def nginx_conf(folder: Path, port: int, upstream: int) -> str:
    block = deploy_block()
    for placeholder, value in {
        "@LISTEN@": f"{HOST}:{port}",
        "@SERVER_NAME@": "localhost",
        "@UPSTREAM@": f"{HOST}:{upstream}",
        "@CACHE_DIR@": str(folder / "cache"),
    }.items():
        assert placeholder in block, f"the nginx block in {DOC} lost its {placeholder}"
        block = block.replace(placeholder, value)
    leftover = re.findall(r"@[A-Z_]+@", block)
    assert not leftover, f"placeholders with no value in this test: {leftover}"
    # As root, nginx's workers would switch to `nobody`, who cannot enter pytest's tmp_path.
    user = "user root root;" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {kind}_temp_path {folder / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{user}
worker_processes 1;
error_log {folder / "error.log"} warn;
events {{ worker_connections 256; }}
http {{
    default_type application/octet-stream;
    access_log {folder / "access.log"};
{temp}
{block}
}}
"""


class Nginx:
    def __init__(self, binary: str, folder: Path, upstream: int):
        folder.mkdir(parents=True)
        self.folder = folder
        self.port = free_port()
        conf = folder / "nginx.conf"
        conf.write_text(nginx_conf(folder, self.port, upstream))
        self.argv = [binary, "-c", str(conf), "-p", str(folder), "-e", str(folder / "error.log")]
        self.globals = f"daemon off; pid {folder / 'nginx.pid'};"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Nginx:
        check = subprocess.run(
            [*self.argv, "-t", "-g", self.globals], capture_output=True, text=True, check=False
        )
        assert check.returncode == 0, f"nginx rejects the docs/deploy.md block:\n{check.stderr}"
        with open(self.folder / "nginx.out", "wb") as out:
            self.process = subprocess.Popen(
                [*self.argv, "-g", self.globals],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 15
        while True:
            if self.process.poll() is not None:
                pytest.fail(f"nginx exited with {self.process.returncode}:\n{self.log()}")
            with contextlib.suppress(OSError), socket.create_connection((HOST, self.port), 0.5):
                return self
            if time.monotonic() > deadline:
                pytest.fail(f"nginx did not listen on {HOST}:{self.port}:\n{self.log()}")
            time.sleep(0.05)

    def log(self) -> str:
        texts = []
        for name in ("nginx.out", "error.log"):
            with contextlib.suppress(OSError):
                texts.append((self.folder / name).read_text(errors="replace"))
        return "\n".join(texts)

    def __exit__(self, *exc: object) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)

    def get(self, path: str, headers: dict[str, str] | None = None):
        return self.request("GET", path, headers)

    def request(self, method: str, path: str, headers: dict | None = None, body=None):
        connection = http.client.HTTPConnection(HOST, self.port, timeout=15)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()


@pytest.fixture
def nginx_in_front(app, tmp_path):
    binary = find_nginx()
    with CountingServer(app) as server, Nginx(binary, tmp_path / "nginx", server.port) as nginx:
        yield nginx, server


def wait_for_room_in_the_minute(seconds: float = 8) -> None:
    """The cached copies end at the next minute boundary: keep the test inside one minute."""
    into = time.time() % 60
    if into + seconds > 60:
        time.sleep(60 - into + 0.5)


def test_page_is_cached_until_the_minute_ends_and_hits_never_reach_the_app(nginx_in_front):
    nginx, app = nginx_in_front
    wait_for_room_in_the_minute()

    status, headers, first = nginx.get("/")
    assert status == 200
    assert headers["X-Cache-Status"] == "MISS"
    assert len(app.hits("/", hx=False)) == 1

    for _ in range(3):
        status, again_headers, again = nginx.get("/")
        assert status == 200
        assert again_headers["X-Cache-Status"] == "HIT"
        assert again == first
    assert len(app.hits("/", hx=False)) == 1, "a cached page must not reach the app"

    # The app's Cache-Control reaches the client as the app sent it: max-age ends with the minute.
    (_path, _hx, sent) = app.hits("/", hx=False)[0]
    assert MAX_AGE.match(sent), sent
    assert headers["Cache-Control"] == sent
    assert again_headers["Cache-Control"] == sent
    assert 0 < int(MAX_AGE.match(sent).group(1)) <= 60

    # A browser revalidating gets its 304 from nginx, not from the app.
    status, revalidated, body = nginx.get("/", {"If-None-Match": headers["ETag"]})
    assert (status, body) == (304, b"")
    assert revalidated["X-Cache-Status"] == "HIT"
    assert len(app.seen) == 1


def test_page_and_fragment_are_cached_separately(nginx_in_front):
    nginx, app = nginx_in_front
    wait_for_room_in_the_minute()

    _, page_headers, page = nginx.get("/")
    _, fragment_headers, fragment = nginx.get("/", {"HX-Request": "true"})
    assert page_headers["X-Cache-Status"] == "MISS"
    assert fragment_headers["X-Cache-Status"] == "MISS", "the fragment must not be the page's copy"
    assert page.startswith(b"<!doctype html>")
    assert fragment.lstrip().startswith(b'<section id="live"')
    assert b"<html" not in fragment
    assert fragment != page

    _, page_again_headers, page_again = nginx.get("/")
    _, fragment_again_headers, fragment_again = nginx.get("/", {"HX-Request": "true"})
    assert page_again_headers["X-Cache-Status"] == "HIT"
    assert fragment_again_headers["X-Cache-Status"] == "HIT"
    assert page_again == page
    assert fragment_again == fragment
    assert len(app.hits("/", hx=False)) == 1
    assert len(app.hits("/", hx=True)) == 1
    assert MAX_AGE.match(fragment_again_headers["Cache-Control"])


def test_static_files_are_kept_by_nginx(nginx_in_front):
    nginx, app = nginx_in_front
    status, first_headers, first = nginx.get("/static/live.js")
    status_again, headers, again = nginx.get("/static/live.js")
    assert (status, status_again) == (200, 200)
    assert first_headers["X-Cache-Status"] == "MISS"
    assert headers["X-Cache-Status"] == "HIT"
    assert again == first
    assert len(app.hits("/static/live.js")) == 1


def test_errors_are_not_cached(nginx_in_front):
    nginx, app = nginx_in_front
    for _ in range(2):
        status, headers, _ = nginx.get("/statements/no-such-statement")
        assert status == 404
        assert headers["X-Cache-Status"] == "MISS"
    assert len(app.hits("/statements/no-such-statement")) == 2


# What readers send, and the language the app alone would answer them in.
READERS = [
    {},
    {"Cookie": "_ga=GA1.2.111"},
    {"Cookie": "_ga=GA1.2.222; sessionid=x"},
    {"Accept-Language": "en-GB,en;q=0.9"},
    {"Accept-Language": "ru-RU,ru;q=0.9,en-US;q=0.8", "Cookie": "_ga=GA1.2.333"},
    {"Accept-Language": "ru"},
    {"Accept-Language": "fr-FR, fr;q=0.9, ru;q=0.5"},
    {"Accept-Language": "de-DE,de;q=0.9"},
    {"Accept-Language": "uk, ru;q=0.8", "Cookie": "_ym_uid=42"},
    {"Cookie": "lang=ru; _ga=GA1.2.444"},
    {"Cookie": "_ga=GA1.2.555; lang=en", "Accept-Language": "ru"},
    {"Cookie": "lang=xx", "Accept-Language": "ru"},
    {"Accept-Language": "*"},
]
HTML_LANG = re.compile(rb'<html lang="([a-z]+)"')


def test_readers_share_one_copy_per_language_whatever_their_cookies(nginx_in_front, app):
    """nginx works out the language as the app does, so thirteen readers with different
    cookies and Accept-Language headers cost the app one render per language, not thirteen,
    and each still reads the page in the language the app would have chosen for them."""
    nginx, counted = nginx_in_front
    alone = app.test_client(use_cookies=False)  # the Cookie header as given
    wait_for_room_in_the_minute(12)
    for headers in READERS:
        status, _, body = nginx.get("/", headers)
        expected = HTML_LANG.search(alone.get("/", headers=headers).data).group(1)
        assert status == 200
        assert HTML_LANG.search(body).group(1) == expected, headers
    # The test client's requests do not go through the counting server.
    keys = {"", "en", "ru"}  # no language of ours named (the site's own), en, ru
    assert len(counted.hits("/", hx=False)) == len(keys)


def test_the_admin_keeps_its_session_cookie_through_nginx(nginx_in_front, app):
    nginx, _ = nginx_in_front
    make_admin(app)
    status, headers, body = nginx.get("/admin/login")
    assert status == 200 and headers.get("X-Cache-Status") != "HIT"
    cookie = headers["Set-Cookie"].split(";")[0]
    token = TOKEN.search(body.decode()).group(1)
    form = urlencode({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "csrf_token": token})
    status, headers, _ = nginx.request(
        "POST",
        "/admin/login",
        {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
        form.encode(),
    )
    assert status == 303 and headers["Location"].endswith("/admin/"), status  # signed in
    signed_in = headers["Set-Cookie"].split(";")[0]
    status, headers, body = nginx.get("/admin/", {"Cookie": signed_in})
    assert status == 200 and ADMIN_EMAIL.encode() in body


def test_the_maps_know_every_language_the_app_has():
    block = deploy_block()
    cookie_map = re.search(r"map \$cookie_lang \$dashboard_lang \{(.*?)\}", block, re.S).group(1)
    in_cookie_map = set(re.findall(r"^\s*([a-z]+) \1;", cookie_map, re.M))
    alternation = re.search(r"\(\?<first>([a-z|]+)\)", block).group(1)
    assert in_cookie_map == set(alternation.split("|")) == set(locales())


def test_the_app_behind_nginx_knows_the_host_readers_asked(nginx_in_front):
    """Absolute URLs (oEmbed discovery, the oEmbed endpoint's own check of the URL) need the
    reader's Host; a location that set any header of its own would lose it."""
    nginx, _ = nginx_in_front
    host = {"Host": "dashboard.example"}
    status, _, page = nginx.get("/", host)
    assert status == 200
    assert b'href="http://dashboard.example/oembed?url=http://dashboard.example/' in page
    status, _, found = nginx.get("/oembed?url=http://dashboard.example/&format=json", host)
    assert status == 200 and b'"type":"rich"' in found.replace(b" ", b"")
