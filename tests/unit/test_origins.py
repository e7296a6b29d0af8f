"""The origin that pages name themselves by (cache/http.py's origin_of): what werkzeug reads
from the request's host fields, kept per fields, within a bound."""

from __future__ import annotations

import pytest
from werkzeug.exceptions import SecurityError
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from dashboard.cache import http


def request_for(host: str | None, scheme: str = "http", trusted=None) -> Request:
    environ = EnvironBuilder(base_url=f"{scheme}://server.example:8080/").get_environ()
    if host is None:
        del environ["HTTP_HOST"]
    else:
        environ["HTTP_HOST"] = host
    req = Request(environ)
    req.trusted_hosts = trusted
    return req


@pytest.mark.parametrize(
    ("host", "scheme", "expected"),
    [
        ("news.example", "http", "http://news.example"),
        ("news.example:80", "http", "http://news.example"),
        ("news.example:443", "https", "https://news.example"),
        ("news.example:8443", "https", "https://news.example:8443"),
        (None, "http", "http://server.example:8080"),  # HTTP/1.0: the server's own name
        ("bad host<>", "http", "http://"),  # werkzeug's empty host for odd characters
    ],
)
def test_the_origin_is_werkzeugs_reading_asked_again_or_not(host, scheme, expected):
    http._ORIGINS.clear()
    first = http.origin_of(request_for(host, scheme))
    again = http.origin_of(request_for(host, scheme))  # the kept one
    assert first == again == expected == f"{scheme}://{request_for(host, scheme).host}"


def test_many_hosts_keep_no_more_than_the_bound():
    http._ORIGINS.clear()
    for number in range(http.MAX_ORIGINS * 3):
        name = f"h{number}.example"
        assert http.origin_of(request_for(name)) == f"http://{name}"
    assert len(http._ORIGINS) <= http.MAX_ORIGINS


def test_trusted_hosts_are_checked_on_every_request():
    http._ORIGINS.clear()
    assert http.origin_of(request_for("news.example")) == "http://news.example"
    with pytest.raises(SecurityError):
        http.origin_of(request_for("news.example", trusted=["other.example"]))
