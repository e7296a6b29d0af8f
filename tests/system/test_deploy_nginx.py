"""The configuration `dashboard nginx-config` prints, run for real in front of the app.

The command runs through the Flask CLI runner with this test's ports and cache folder; Debian's
nginx runs what it prints on 127.0.0.1, in front of the app served by werkzeug in a thread,
which records every request that reaches it. nginx missing is a failure, not a skip: the docs
claim this works. (tests/unit/test_nginx_config.py checks the text itself.)
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.helpers import SetupError
from tests.helpers.admin import ADMIN_EMAIL, ADMIN_PASSWORD, TOKEN, make_admin, signed_in_client
from tests.helpers.clock import clear_of_boundaries
from tests.helpers.languages import registered
from tests.helpers.nginx import Nginx, config_args, find_nginx, main_conf
from tests.helpers.servers import AppServer, free_port

MAX_AGE = re.compile(r"^public, max-age=(\d+)$")


@pytest.fixture
def nginx_binary() -> str:
    try:
        return find_nginx()
    except SetupError as error:
        pytest.fail(str(error))


def nginx_for(app, binary: str, folder: Path, upstream: int) -> Nginx:
    """nginx running what `dashboard nginx-config` prints for this port and upstream."""
    port = free_port()
    args = config_args(port=port, upstream=upstream, cache_dir=folder / "cache")
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    return Nginx(binary, folder, main_conf(folder, result.output), [port])


@pytest.fixture
def nginx_in_front(app, tmp_path, nginx_binary):
    with (
        AppServer(app) as server,
        nginx_for(app, nginx_binary, tmp_path / "nginx", server.port) as nginx,
    ):
        yield nginx, server


def test_page_is_cached_until_the_minute_ends_and_hits_never_reach_the_app(nginx_in_front):
    nginx, app = nginx_in_front
    clear_of_boundaries(8)

    status, headers, first = nginx.get("/")
    assert status == 200
    assert headers["X-Cache-Status"] == "MISS"
    assert len(app.requests_for("/", hx=False)) == 1

    for _ in range(3):
        status, again_headers, again = nginx.get("/")
        assert status == 200
        assert again_headers["X-Cache-Status"] == "HIT"
        assert again == first
    assert len(app.requests_for("/", hx=False)) == 1, "a cached page must not reach the app"

    # The app's Cache-Control reaches the client as the app sent it: max-age ends with the minute.
    sent = app.requests_for("/", hx=False)[0].cache_control
    assert MAX_AGE.match(sent), sent
    assert headers["Cache-Control"] == sent
    assert again_headers["Cache-Control"] == sent
    assert 0 < int(MAX_AGE.match(sent).group(1)) <= 60

    # A browser revalidating gets its 304 from nginx, not from the app.
    status, revalidated, body = nginx.get("/", {"If-None-Match": headers["ETag"]})
    assert (status, body) == (304, b"")
    assert revalidated["X-Cache-Status"] == "HIT"
    assert len(app.hits) == 1


def test_every_answer_carries_its_own_request_id_even_from_the_cache(nginx_in_front):
    nginx, app = nginx_in_front
    clear_of_boundaries(8)
    _, missed, _ = nginx.get("/")
    _, hit, _ = nginx.get("/")
    assert (missed["X-Cache-Status"], hit["X-Cache-Status"]) == ("MISS", "HIT")
    assert re.fullmatch(r"[0-9a-f]{32}", missed["X-Request-Id"]), missed["X-Request-Id"]
    # The app logged nginx's id for the request it answered ...
    assert app.requests_for("/", hx=False)[0].request_id == missed["X-Request-Id"]
    # ... and the copy from the cache does not repeat it.
    assert re.fullmatch(r"[0-9a-f]{32}", hit["X-Request-Id"])
    assert hit["X-Request-Id"] != missed["X-Request-Id"]
    assert len(hit.get_all("X-Request-Id")) == 1


def test_page_and_fragment_are_cached_separately(nginx_in_front):
    nginx, app = nginx_in_front
    clear_of_boundaries(8)

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
    assert len(app.requests_for("/", hx=False)) == 1
    assert len(app.requests_for("/", hx=True)) == 1
    assert MAX_AGE.match(fragment_again_headers["Cache-Control"])


def test_static_files_are_kept_by_nginx(nginx_in_front):
    nginx, app = nginx_in_front
    status, first_headers, first = nginx.get("/static/live.js")
    status_again, headers, again = nginx.get("/static/live.js")
    assert (status, status_again) == (200, 200)
    assert first_headers["X-Cache-Status"] == "MISS"
    assert headers["X-Cache-Status"] == "HIT"
    assert again == first
    assert len(app.requests_for("/static/live.js")) == 1


def test_errors_are_not_cached(nginx_in_front):
    nginx, app = nginx_in_front
    for _ in range(2):
        status, headers, _ = nginx.get("/statements/no-such-statement")
        assert status == 404
        assert headers["X-Cache-Status"] == "MISS"
    assert len(app.requests_for("/statements/no-such-statement")) == 2


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
    clear_of_boundaries(12)
    for headers in READERS:
        status, _, body = nginx.get("/", headers)
        expected = HTML_LANG.search(alone.get("/", headers=headers).data).group(1)
        assert status == 200
        assert HTML_LANG.search(body).group(1) == expected, headers
    # The test client's requests do not go through the counting server.
    keys = {"", "en", "ru"}  # no language of ours named (the site's own), en, ru
    assert len(counted.requests_for("/", hx=False)) == len(keys)


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


def test_a_registered_language_is_chosen_by_nginx_as_by_the_app(app, tmp_path, nginx_binary):
    """A language added to the registry needs nothing more than running the command again:
    nginx picks it from Accept-Language and from the cookie, and keeps one copy for it."""
    with (
        registered() as esperanto,
        AppServer(app) as server,
        nginx_for(app, nginx_binary, tmp_path / "nginx", server.port) as nginx,
    ):
        clear_of_boundaries(8)
        for headers in (
            {"Accept-Language": "eo, en;q=0.5", "Cookie": "_ga=GA1.2.1"},
            {"Cookie": f"_ga=GA1.2.2; lang={esperanto.code}"},
            {"Cookie": f"lang={esperanto.code}", "Accept-Language": "ru"},
        ):
            status, _, body = nginx.get("/", headers)
            assert status == 200
            assert HTML_LANG.search(body).group(1) == b"eo", headers
        assert len(server.requests_for("/", hx=False)) == 1


def test_blocks_fetched_ahead_are_shared_and_carry_nginxs_own_time(nginx_in_front):
    """Any reader's copy of the next minute's block serves the rest, whatever their cookies,
    and each answer says when nginx sent it (not when the copy was made): pages time their
    swap at the boundary by it."""
    nginx, app = nginx_in_front
    clear_of_boundaries(8)
    minute = time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime(time.time() + 60))
    path = f"/live/{minute}?view=page&lang=en"
    _, first, body = nginx.get(path, {"Cookie": "lang=ru; _ga=GA1.2.3"})
    time.sleep(0.3)
    before = time.time() * 1000
    _, again, same = nginx.get(path, {"Cookie": "theme=dark"})
    after = time.time() * 1000
    assert (first["X-Cache-Status"], again["X-Cache-Status"]) == ("MISS", "HIT")
    assert same == body and b'id="live"' in body
    assert len(app.ahead_hits()) == 1
    assert len(again.get_all("X-Server-Time")) == 1  # nginx's, not the copy's
    told = int(again["X-Server-Time"])
    assert before - 5 <= told <= after + 5
    assert told - int(first["X-Server-Time"]) >= 250
    assert 0 < int(MAX_AGE.match(again["Cache-Control"]).group(1)) <= 120


def test_a_signed_in_editor_passes_the_cache_both_ways(nginx_in_front, app):
    """Their own page shows their edit at once: their requests reach the app with their
    session, and what the app answers them is never kept for readers."""
    nginx, counted = nginx_in_front
    make_admin(app)
    editor = signed_in_client(app)
    session = editor.get_cookie(app.config["SESSION_COOKIE_NAME"])
    cookie = f"{session.key}={session.value}; lang=en"
    clear_of_boundaries(8)
    _, reader, _ = nginx.get("/")
    for _ in range(2):
        _, headers, _ = nginx.get("/", {"Cookie": cookie})
        assert headers["X-Cache-Status"] == "BYPASS"
    _, reader_again, _ = nginx.get("/")
    assert (reader["X-Cache-Status"], reader_again["X-Cache-Status"]) == ("MISS", "HIT")
    assert len(counted.requests_for("/", hx=False)) == 3
