"""The property of tests/web/test_routes_property.py with many more examples: too slow for
the fast tier. A failure names the request that failed."""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, settings

from tests.helpers.routes import no_route_answers_5xx

HEAVY = settings(
    max_examples=60,
    derandomize=True,  # like the fast run, the same requests on every machine: more of them
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def test_no_get_route_answers_5xx_over_many_examples(app, at_reference):
    no_route_answers_5xx(app, HEAVY)
