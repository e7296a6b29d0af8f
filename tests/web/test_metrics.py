"""/metrics: scraped and parsed as Prometheus parses it, after requests, cache lookups, a
tick, feed polls and a throttled sign-in; and who may scrape it. The counters are this
process's, shared by every test of the run, so each test compares before with after."""

from __future__ import annotations

import datetime as dt
import threading

from prometheus_client.parser import text_string_to_metric_families
from werkzeug.middleware.proxy_fix import ProxyFix

from dashboard import metrics
from dashboard.cache import live
from dashboard.feeds import ingest
from dashboard.worker import scheduler
from tests.helpers.admin import csrf_token, make_admin
from tests.helpers.feeds import add_feed, closed_port
from tests.helpers.reference import REFERENCE_INSTANT

OUTSIDER = {"REMOTE_ADDR": "203.0.113.7"}
TOKEN = "a-metrics-token-of-32-characters"


class Scrape:
    """One scrape, parsed: the value of a sample by name and labels (0 when absent)."""

    def __init__(self, client):
        response = client.get("/metrics")
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        self.response = response
        self.samples = {
            (sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.get_data(as_text=True))
            for sample in family.samples
        }

    def __call__(self, name: str, **labels: str) -> float:
        return self.samples.get((name, tuple(sorted(labels.items()))), 0.0)

    def names(self) -> set[str]:
        return {name for name, _ in self.samples}


class HeldLock:
    def still_held(self) -> bool:
        return True


def test_a_scrape_counts_requests_cache_layers_and_ticks(app, at_reference):
    client = app.test_client()
    before = Scrape(client)
    assert before.response.headers["Cache-Control"] == "no-store"
    assert before.response.content_type.startswith("text/plain; version=0.0.4")

    for _ in range(3):
        assert client.get("/healthz").status_code == 200
    assert client.get("/statements/no-such-statement").status_code == 404
    assert client.get("/no/such/page").status_code == 404
    first, second = client.get("/"), client.get("/")  # a miss renders, then memory has it
    assert first.status_code == second.status_code == 200
    after_page = Scrape(client)
    rendered = after_page("dashboard_live_cache_lookups_total", layer="rendered")
    rendered -= before("dashboard_live_cache_lookups_total", layer="rendered")
    memory = after_page("dashboard_live_cache_lookups_total", layer="memory")
    memory -= before("dashboard_live_cache_lookups_total", layer="memory")
    assert rendered >= 1 and memory == rendered  # the second request found all the first made

    # A tick warms the minute; a process with an empty memory then finds the warmed bytes.
    scheduler.tick(app, HeldLock(), threading.Event())
    live.pages_of(app).invalidate()
    assert client.get("/").status_code == 200
    at_reference.shift(dt.timedelta(seconds=30))
    after = Scrape(client)

    def moved(name: str, **labels) -> float:
        return after(name, **labels) - before(name, **labels)

    assert moved("dashboard_http_requests_total", route="/healthz", status="200") == 3
    assert moved("dashboard_http_requests_total", route="/statements/<slug>", status="404") == 1
    assert moved("dashboard_http_requests_total", route="(unmatched)", status="404") == 1
    assert moved("dashboard_http_request_duration_seconds_count", route="/healthz") == 3
    for le in ("0.0005", "0.001", "0.005", "0.1", "1.0", "+Inf"):
        assert ("dashboard_http_request_duration_seconds_bucket", le) in {
            (name, dict(labels).get("le")) for name, labels in after.samples
        }
    assert moved("dashboard_http_request_duration_seconds_bucket", route="/", le="+Inf") == 3
    assert moved("dashboard_live_cache_lookups_total", layer="warmed") >= 1
    assert moved("dashboard_live_cache_lookups_total", layer="rendered") == rendered
    assert moved("dashboard_scheduler_ticks_total") == 1
    assert moved("dashboard_scheduler_tick_duration_seconds_count") == 1
    # Computed at scrape time from the heartbeat the tick wrote, 30 s before.
    assert after("dashboard_database_up") == 1
    assert after("dashboard_scheduler_heartbeat_age_seconds") == 30
    assert after.response.headers["Cache-Control"] == "no-store"


def test_a_scrape_counts_feed_polls_throttled_sign_ins_and_webhook_deliveries(app):
    client = app.test_client()
    before = Scrape(client)
    ingest.poll_feed(app, add_feed(app, f"http://127.0.0.1:{closed_port()}/feed"))
    app.config["LOGIN_MAX_FAILURES"] = 1  # throttled at the second wrong password
    make_admin(app)
    wrong = {"email": "press@embassy.example", "password": "wrong"}
    wrong["csrf_token"] = csrf_token(client)
    assert client.post("/admin/login", data=wrong).status_code == 401
    assert client.post("/admin/login", data=wrong).status_code == 429
    metrics.count_webhook_delivery("delivered")
    metrics.count_webhook_delivery("Not A Word!")
    after = Scrape(client)

    def moved(name: str, **labels) -> float:
        return after(name, **labels) - before(name, **labels)

    assert moved("dashboard_feed_polls_total", outcome="error") == 1
    assert moved("dashboard_feed_polls_total", outcome="ok") == 0
    assert moved("dashboard_login_throttled_total") == 1
    assert moved("dashboard_http_requests_total", route="/admin/login", status="429") == 1
    assert moved("dashboard_webhook_deliveries_total", outcome="delivered") == 1
    assert moved("dashboard_webhook_deliveries_total", outcome="invalid") == 1


def test_observe_request_is_what_a_path_outside_flask_calls(app):
    client = app.test_client()
    before = Scrape(client)
    metrics.observe_request("/fast/<slug>", 200, 0.0004)
    metrics.observe_request("/fast/<slug>", 304, 0.002)
    after = Scrape(client)
    route = {"route": "/fast/<slug>"}
    assert after("dashboard_http_requests_total", status="200", **route) == (
        before("dashboard_http_requests_total", status="200", **route) + 1
    )
    name = "dashboard_http_request_duration_seconds_bucket"
    bounds = ("0.0005", "0.001", "0.002")  # cumulative, as Prometheus reads them
    moved = [after(name, le=le, **route) - before(name, le=le, **route) for le in bounds]
    assert moved == [1, 1, 2]


def test_only_loopback_or_the_token_may_scrape(app):
    client = app.test_client()
    assert client.get("/metrics").status_code == 200  # the test client is 127.0.0.1
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200
    refused = client.get("/metrics", environ_base=OUTSIDER)
    assert refused.status_code == 404 and refused.headers["Cache-Control"] == "no-store"
    # A forwarded header never lets an outsider in, and marks a request that came through a
    # proxy on this machine as someone else's.
    spoofed = {"X-Forwarded-For": "127.0.0.1", "X-Real-IP": "127.0.0.1"}
    assert client.get("/metrics", headers=spoofed, environ_base=OUTSIDER).status_code == 404
    proxied = {"X-Forwarded-For": "203.0.113.7"}
    assert client.get("/metrics", headers=proxied).status_code == 404
    assert client.get("/metrics", headers={"Forwarded": "for=203.0.113.7"}).status_code == 404
    # Behind PROXY_COUNT proxies, ProxyFix rewrites REMOTE_ADDR from the header: still refused.
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1)
    assert client.get("/metrics", headers=spoofed, environ_base=OUTSIDER).status_code == 404
    # The token, from anywhere; a wrong one, or one when none is set, is 403.
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    assert client.get("/metrics", headers=bearer, environ_base=OUTSIDER).status_code == 403
    app.config["METRICS_TOKEN"] = TOKEN
    allowed = client.get("/metrics", headers={**bearer, **proxied}, environ_base=OUTSIDER)
    assert allowed.status_code == 200 and b"dashboard_http_requests_total" in allowed.data
    wrong = {"Authorization": "Bearer " + TOKEN[:-1] + "X"}
    assert client.get("/metrics", headers=wrong, environ_base=OUTSIDER).status_code == 403
    assert client.get("/metrics", headers=wrong).status_code == 403
    basic = {"Authorization": f"Basic {TOKEN}"}
    assert client.get("/metrics", headers=basic, environ_base=OUTSIDER).status_code == 404


def test_the_heartbeat_gauge_is_absent_before_the_first_beat(app):
    scrape = Scrape(app.test_client())
    assert scrape("dashboard_database_up") == 1
    assert "dashboard_scheduler_heartbeat_age_seconds" not in scrape.names()
    scheduler.beat(app, REFERENCE_INSTANT)
    assert Scrape(app.test_client())("dashboard_scheduler_heartbeat_age_seconds") > 0
