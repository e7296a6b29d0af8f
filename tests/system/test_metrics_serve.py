"""/metrics under `dashboard serve`: two granian workers and the scheduler write their own
files, and every scrape, whichever worker answers it, adds them all up; a worker killed and
replaced keeps its counts but not its live gauge; the directory is gone after the stop."""

from __future__ import annotations

import os
import signal

from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families

from tests.helpers.serving import dashboard_env, dashboard_serve

REQUESTS = 60  # each on a connection of its own, so the kernel spreads them over both workers
HEALTHZ = {"route": "/healthz", "status": "200"}


def scrape(serve) -> dict[tuple[str, tuple], float]:
    status, _headers, body = serve.get("/metrics")
    assert status == 200, body[:500]
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(body.decode())
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def healthz_in_file(path) -> float:
    """The /healthz count one process wrote, read from its own file alone."""
    for metric in MultiProcessCollector.merge([str(path)]):
        for sample in metric.samples:
            if sample.name == "dashboard_http_requests_total" and sample.labels == HEALTHZ:
                return sample.value
    return 0.0


def test_a_scrape_adds_up_both_workers_and_the_scheduler(app, tmp_path):
    env = dashboard_env(app.config["DATABASE_URL"], tmp_path)
    with dashboard_serve(env, tmp_path) as serve:  # two workers, as by default
        directory = tmp_path / "instance" / "metrics" / str(serve.port)
        assert directory.is_dir()
        serve.wait_for(
            "the scheduler's first tick, counted in its own process",
            lambda: value(scrape(serve), "dashboard_scheduler_ticks_total") >= 1,
        )
        for _ in range(REQUESTS):
            assert serve.get("/healthz")[0] == 200
        for _ in range(8):  # each scrape on a new connection: both workers answer some
            samples = scrape(serve)
            assert value(samples, "dashboard_http_requests_total", **HEALTHZ) == REQUESTS
            assert value(samples, "dashboard_http_request_duration_seconds_count", route="/healthz")
        workers = serve.processes().workers
        assert len(workers) == 2
        shares = [healthz_in_file(directory / f"counter_{pid}.db") for pid in workers]
        assert sum(shares) == REQUESTS and all(shares), shares  # both served, none counted twice

        # A worker killed: granian starts another; its counts stay, its live gauge goes.
        killed = workers[0]
        assert (directory / f"gauge_livesum_{killed}.db").exists()
        os.kill(killed, signal.SIGKILL)
        serve.wait_for(
            "a new worker",
            lambda: len(now := serve.processes().workers) == 2 and killed not in now,
        )
        serve.wait_for(
            "the dead worker's live gauge dropped",
            lambda: not (directory / f"gauge_livesum_{killed}.db").exists(),
            seconds=30,
        )
        assert (directory / f"counter_{killed}.db").exists()
        serve.wait_for("a page after the worker's death", serve.answers)
        samples = scrape(serve)
        assert value(samples, "dashboard_http_requests_total", **HEALTHZ) == REQUESTS
        assert serve.stop() == 0
    assert not directory.exists()
