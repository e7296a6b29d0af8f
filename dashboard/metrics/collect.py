"""What a scrape of /metrics reads: every process's values (added up from the shared files
under `dashboard serve`, else this process's registry), and two gauges computed at scrape time
from the database: whether it answers, and the age of the scheduler's heartbeat."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator

import sqlalchemy as sa
from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from dashboard.content import models, store
from dashboard.core import timecalc
from dashboard.metrics.instruments import MULTIPROCESS_DIR

log = logging.getLogger(__name__)


class ThisProcess:
    """The default registry (this process's metrics, and its process_/python_ collectors), so
    that it can sit in a registry made for one scrape beside the database's gauges."""

    def collect(self) -> Iterator[Metric]:
        return REGISTRY.collect()


class DatabaseGauges:
    """dashboard_database_up, and dashboard_scheduler_heartbeat_age_seconds (absent before the
    first beat, or while the database cannot be read)."""

    def __init__(self, the_store: store.Store, now: dt.datetime | None = None):
        self.the_store, self.now = the_store, now

    def collect(self) -> Iterator[Metric]:
        now = self.now or timecalc.utcnow()
        up = GaugeMetricFamily(
            "dashboard_database_up", "1 when the database answered at scrape time, else 0."
        )
        age = GaugeMetricFamily(
            "dashboard_scheduler_heartbeat_age_seconds",
            "Seconds since the scheduler's last heartbeat (scheduler_state.heartbeat_at), at "
            "scrape time.",
        )
        try:
            with self.the_store.session() as session:
                state = session.get(models.SchedulerState, "scheduler")
        except sa.exc.SQLAlchemyError as error:  # down, or no schema yet
            log.warning("metrics: cannot read the scheduler's heartbeat: %s", error)
            up.add_metric([], 0)
        else:
            up.add_metric([], 1)
            if state is not None:
                age.add_metric([], round(-timecalc.seconds_until(state.heartbeat_at, now), 3))
        yield up
        yield age


def scrape_registry(the_store: store.Store) -> CollectorRegistry:
    """A registry for one scrape: all processes' metrics, and the database's gauges."""
    registry = CollectorRegistry()
    if MULTIPROCESS_DIR:
        MultiProcessCollector(registry, path=MULTIPROCESS_DIR)
    else:
        registry.register(ThisProcess())
    registry.register(DatabaseGauges(the_store))
    return registry
