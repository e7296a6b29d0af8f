"""No GET route answers 5xx, whatever its path and query hold: every route of the app's
url_map, anonymous and signed in, each parameter it declares given random and hostile text.
A heavier run of the same: tests/system/test_routes_heavy.py."""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from dashboard.web import params
from tests.helpers.admin import make_admin, signed_in_client
from tests.helpers.routes import get_rules, path_for, query_for

# Derandomized and without a database of examples: the same requests on every machine and run.
# No shrinking: each example is a request to every route, and the failing one is in the message.
FAST = settings(
    max_examples=10,
    derandomize=True,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def no_route_answers_5xx(app, settings_):
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


def test_no_get_route_answers_5xx_to_random_input(app, at_reference):
    rules = no_route_answers_5xx(app, FAST)
    endpoints = {rule.endpoint for rule in rules}
    # Every kind of route was asked, and every route that reads a query was given one.
    for prefix in ("public.", "embed.", "badges.", "api.", "admin.", "atom.", "health.", "static"):
        assert any(endpoint.startswith(prefix) for endpoint in endpoints), prefix
    assert set(params.REGISTRY) <= endpoints
