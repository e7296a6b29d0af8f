"""No GET route answers 5xx, whatever its path and query hold: every route of the app's
url_map, anonymous and signed in, each parameter it declares given random and hostile text.
A heavier run of the same: tests/system/test_routes_heavy.py."""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, settings

from dashboard.web import params
from tests.helpers.routes import no_route_answers_5xx

# Derandomized and without a database of examples: the same requests on every machine and run.
# No shrinking: each example is a request to every route, and the failing one is in the message.
FAST = settings(
    max_examples=5,
    derandomize=True,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def test_no_get_route_answers_5xx_to_random_input(app, at_reference):
    rules = no_route_answers_5xx(app, FAST)
    endpoints = {rule.endpoint for rule in rules}
    # Every kind of route was asked, and every route that reads a query was given one.
    for prefix in ("public.", "embed.", "badges.", "api.", "admin.", "atom.", "health.", "static"):
        assert any(endpoint.startswith(prefix) for endpoint in endpoints), prefix
    assert set(params.REGISTRY) <= endpoints
