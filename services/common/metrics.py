"""Prometheus metrics for every Gongkai process.

Counters count what happened since the process started; gauges about stored state
(outbox backlog, dead letters) are computed from the database at scrape time, so a
restart loses nothing. Label values are bounded: service, entrypoint and event type
names come from code, never from requests.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable

import sqlalchemy as sa
from nameko.extensions import DependencyProvider
from prometheus_client import REGISTRY, Counter, Histogram, disable_created_metrics
from prometheus_client.core import GaugeMetricFamily

from . import health, logs, tracing
from .errors import DomainError
from .records import EventFailure, OutboxRecord

log = logging.getLogger(__name__)
disable_created_metrics()  # the *_created series only double what Prometheus already knows

WORKER_DURATION = Histogram(
    "gongkai_worker_duration_seconds", "Time a worker spent in one entrypoint call.",
    ["service", "entrypoint"], buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30))
WORKER_ERRORS = Counter("gongkai_worker_errors_total",
                        "Entrypoint calls that failed (a refused request is not an error).",
                        ["service", "entrypoint"])
EVENTS_PUBLISHED = Counter("gongkai_events_published_total",
                           "Events published from the outbox with a broker confirm.", ["service", "type"])
EVENTS_UNROUTABLE = Counter("gongkai_events_unroutable_total",
                            "Publications returned by the broker for want of a queue (retried).",
                            ["service", "type"])
EVENTS_CONSUMED = Counter("gongkai_events_consumed_total",
                          "Events handled: processed, or skipped as an already-processed duplicate.",
                          ["service", "type", "outcome"])
EVENTS_FAILED = Counter("gongkai_events_failed_total", "Event deliveries whose handling failed.",
                        ["service", "type"])
EVENTS_DEAD_LETTERED = Counter("gongkai_events_dead_lettered_total",
                               "Events parked as dead letters (malformed, or out of retries).",
                               ["service", "type"])


class StoredStateCollector:
    """Gauges read from each watched service database at scrape time."""

    def __init__(self) -> None:
        self._sources: dict[str, Callable] = {}
        self._gauges: dict[str, list[Callable]] = {}  # service → fn(session) yielding GaugeMetricFamily
        self._lock = threading.Lock()

    def register_gauges(self, service: str, fn: Callable) -> None:
        """Business gauges of one service (e.g. obligations by status), read with the same
        session as the rest at each scrape while that service's database is watched."""
        with self._lock:
            if fn not in self._gauges.setdefault(service, []):
                self._gauges[service].append(fn)

    def watch(self, service: str, sessions) -> Callable[[], None]:
        with self._lock:
            self._sources[service] = sessions
        return lambda: self._sources.pop(service, None)

    def collect(self):
        backlog = GaugeMetricFamily("gongkai_outbox_backlog",
                                    "Events committed but not yet published.", labels=["service"])
        failures = GaugeMetricFamily("gongkai_dead_letters",
                                     "Received events parked as dead letters.", labels=["service"])
        retrying = GaugeMetricFamily("gongkai_events_retrying",
                                     "Received events waiting for another attempt.", labels=["service"])
        extra = []
        for service, sessions in list(self._sources.items()):
            try:
                with sessions() as session:
                    pending = session.scalar(sa.select(sa.func.count()).select_from(OutboxRecord)
                                             .where(OutboxRecord.published_at.is_(None)))
                    by_status = dict(session.execute(
                        sa.select(EventFailure.status, sa.func.count()).group_by(EventFailure.status)).all())
                    for fn in self._gauges.get(service, ()):
                        try:
                            extra.extend(fn(session))
                        except Exception:
                            log.exception("metrics: %s gauges of %s failed", getattr(fn, "__name__", fn), service)
                            session.rollback()
            except Exception:
                log.exception("metrics: cannot read the %s database", service)
                continue
            backlog.add_metric([service], pending)
            failures.add_metric([service], by_status.get("dead", 0))
            retrying.add_metric([service], by_status.get("retrying", 0))
        yield backlog
        yield failures
        yield retrying
        yield from extra


STORED_STATE = StoredStateCollector()
REGISTRY.register(STORED_STATE)


def watch_database(service: str, sessions) -> Callable[[], None]:
    """Read the service's stored-state gauges from this database, and count it in /readyz."""
    unwatch_gauges = STORED_STATE.watch(service, sessions)
    unwatch_ready = health.CHECKS.watch_database(service, sessions)
    return lambda: (unwatch_gauges(), unwatch_ready())


register_stored_gauges = STORED_STATE.register_gauges

_server_lock = threading.Lock()
_server_address: str | None = None


def serve_metrics(address: str) -> None:
    """Start the /metrics, /healthz and /readyz listener once per process, however many
    services it runs (services.common.health)."""
    global _server_address
    with _server_lock:
        if _server_address is not None:
            return
        host, _, port = address.rpartition(":")
        health.serve(host or "0.0.0.0", int(port))
        _server_address = address
        log.info("metrics at http://%s/metrics", address)


class WorkerMetrics(DependencyProvider):
    """Times every entrypoint call and counts its errors; serves /metrics, and /readyz with
    the container's broker consumers among its checks; puts the worker's correlation id into
    its log lines (services.common.logs)."""

    def setup(self) -> None:
        self.service = self.container.service_name
        self._started: dict = {}
        self._log_context: dict = {}
        # in setup, before any consumer starts, so that no first connection goes unseen
        self._unwatch_consumers = health.CHECKS.watch_consumers(self.service, self.container.extensions)

    def start(self) -> None:
        serve_metrics(self.container.config.get("METRICS_ADDRESS", "127.0.0.1:9100"))

    def stop(self) -> None:
        self._unwatch_consumers()

    def kill(self) -> None:
        self._unwatch_consumers()

    def worker_setup(self, worker_ctx) -> None:
        self._started[worker_ctx] = time.perf_counter()
        # the hooks and the entrypoint run in the worker's own greenthread
        correlation_id = worker_ctx.data.get("correlation_id") or worker_ctx.call_id
        self._log_context[worker_ctx] = (logs.bind(correlation_id),
                                         logs.bind_trace(worker_ctx.data.get(tracing.HEADER)))

    def worker_teardown(self, worker_ctx) -> None:
        self._started.pop(worker_ctx, None)
        bound = self._log_context.pop(worker_ctx, None)
        if bound is not None:
            logs.unbind_trace(bound[1])
            logs.unbind(bound[0])

    def worker_result(self, worker_ctx, result=None, exc_info=None) -> None:
        started = self._started.pop(worker_ctx, None)
        name = worker_ctx.entrypoint.method_name
        if started is not None:
            WORKER_DURATION.labels(self.service, name).observe(time.perf_counter() - started)
        if exc_info is not None and not issubclass(exc_info[0], DomainError):
            WORKER_ERRORS.labels(self.service, name).inc()
        event_type = getattr(worker_ctx.entrypoint, "event_type", None)
        if event_type and worker_ctx.args:  # one line per event handled, with its request and trace ids
            log.info("%s handled %s %s%s", name, event_type, getattr(worker_ctx.args[0], "event_id", ""),
                     "" if exc_info is None else f": {exc_info[0].__name__}")
