"""Every GET route of the app, with hostile values for its path and for each query parameter
it reads (web/params.py's REGISTRY, which the routes declare themselves), for property tests
that no request gets a 5xx."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote

from hypothesis import given
from hypothesis import strategies as st

from dashboard.web import params
from tests.helpers.admin import make_admin, signed_in_client

PLACEHOLDER = re.compile(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>")

# What a prober tries first; random text covers the rest.
HOSTILE = [
    "",
    " ",
    "²",
    "٣",
    "1" * 40,
    "-1",
    "0",
    "1e9",
    "NaN",
    "\r\nX-Injected: 1",
    "\x00",
    "%",
    "../../etc/passwd",
    "//evil.example/admin",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "2020-01-01T00:00:00Z_99999999999999999999999",
    "2020-01-26T17:58",
    "en",
    "ru",
    "salisbury",
]
# Digits that str.isdigit takes and int() does not (superscripts, circled numbers...).
DIGIT_LIKE = "".join(c for c in map(chr, range(0x2500)) if c.isdigit() and not c.isdecimal())
ZONES = [dt.UTC, dt.timezone(dt.timedelta(hours=14)), dt.timezone(dt.timedelta(hours=-12))]
instants = st.datetimes(
    min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31, 23, 59, 59)
).flatmap(lambda at: st.sampled_from([at.replace(tzinfo=zone).isoformat() for zone in ZONES]))
numbers = st.integers(min_value=-(10**30), max_value=10**30).map(str)
values = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=40),
    numbers,
    st.text(alphabet=st.characters(categories=["Nd", "No"]), min_size=1, max_size=6),
    st.text(alphabet=DIGIT_LIKE, min_size=1, max_size=4),
    instants,
    st.tuples(instants, numbers).map("_".join),  # an archive cursor, of any year and id
)


def get_rules(app) -> list:
    return sorted(
        (rule for rule in app.url_map.iter_rules() if "GET" in rule.methods),
        key=lambda rule: rule.rule,
    )


def path_for(rule, draw) -> str:
    """The rule's path with each placeholder filled by a value drawn for it (percent-encoded,
    so that the router, not the test, decides what matches)."""

    def fill(match: re.Match) -> str:
        converter, arguments, _name = match.groups()
        choices = [values]
        if converter == "any":
            choices.append(st.sampled_from([a.strip() for a in arguments.split(",")]))
        if converter == "int":
            choices.append(st.integers(min_value=0, max_value=10**25).map(str))
        return quote(draw(st.one_of(choices)), safe="")

    return PLACEHOLDER.sub(fill, rule.rule)


def query_for(endpoint: str, draw) -> dict[str, str]:
    """Some of the parameters the endpoint reads, each with a drawn value."""
    declared = params.REGISTRY.get(endpoint)
    names = sorted(declared.parameters) if declared else []
    return {name: draw(values) for name in names if draw(st.booleans())}


def no_route_answers_5xx(app, settings_):
    """Every GET route, anonymous and signed in, with drawn paths, queries and HX-Request:
    none answers 5xx. Returns the rules asked."""
    make_admin(app)
    anonymous, admin = app.test_client(), signed_in_client(app)
    rules = get_rules(app)

    @settings_
    @given(st.data())
    def every_route(data):
        for rule in rules:
            client = admin if rule.endpoint.startswith("admin.") else anonymous
            path = path_for(rule, data.draw)
            query = query_for(rule.endpoint, data.draw)
            hx = {"HX-Request": "true"} if data.draw(st.booleans()) else {}
            response = client.get(path, query_string=query, headers=hx)
            response.close()  # a static file's, for one
            # 501 is oEmbed's answer to a format it does not provide (oembed.com, 2.3.4).
            allowed = response.status_code < 500 or (
                response.status_code == 501 and rule.endpoint == "embed.oembed"
            )
            assert allowed, (path, query, response.get_data(as_text=True))

    every_route()
    return rules
