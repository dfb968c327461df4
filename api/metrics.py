"""Prometheus metrics in a registry of their own, so every app (and every test) starts at zero.

Every label value is one of a fixed set, whatever a client sends: a series is kept forever, so a
label a client could choose would let any token holder grow ``/metrics`` without bound. The
``operation`` label is an operation name of the registry (``unknown`` for anything else), the
``route`` label a path the app serves (``other``, chosen by the request log), ``status`` a code
the app answered, ``outcome`` ``ok`` or an error code the server chose.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from functools import partial

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector

from api.audit import TrailStats

CONTENT_TYPE = CONTENT_TYPE_LATEST
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
# The ``operation`` label of a name the registry does not declare.
UNKNOWN_OPERATION = "unknown"


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        counter = partial(Counter, registry=self.registry)
        seconds = partial(Histogram, buckets=_LATENCY_BUCKETS, registry=self.registry)
        self.operations = counter(
            "keygraph_operations_total",
            "GraphQL root operations by outcome (ok or the AWS error code).",
            ["operation", "outcome"],
        )
        self.operation_seconds = seconds(
            "keygraph_operation_seconds",
            "Time of the GraphQL request that ran the operation.",
            ["operation", "outcome"],
        )
        self.http_requests = counter(
            "keygraph_http_requests_total",
            "HTTP requests by route and status code.",
            ["route", "status"],
        )
        self.http_seconds = seconds(
            "keygraph_http_request_seconds", "HTTP request latency by route.", ["route"]
        )
        # The registry's operation names, once the app has named them (``name_operations``).
        self._operations: frozenset[str] | None = None
        # The series of each label set seen, so a request looks them up once, in one dict:
        # ``labels()`` takes a lock and builds its key per call (~3 µs of a request's ~4 µs of
        # HTTP metrics). The label sets are the fixed ones above, so these stay small.
        self._operation_series: dict[tuple[str, str], tuple[Counter, Histogram]] = {}
        self._http_series: dict[tuple[str, int], tuple[Counter, Histogram]] = {}

    def name_operations(self, names: Collection[str]) -> None:
        """Make ``names`` (the registry's) the only values of the ``operation`` label. The app
        names them as it starts; services run without an app count what the pipeline passes,
        which is always an operation's declared name."""
        self._operations = frozenset(names)

    def observe_operation(self, operation: str, outcome: str, seconds: float) -> None:
        if self._operations is not None and operation not in self._operations:
            operation = UNKNOWN_OPERATION
        series = self._operation_series.get((operation, outcome))
        if series is None:
            series = self._operation_series[(operation, outcome)] = (
                self.operations.labels(operation, outcome),
                self.operation_seconds.labels(operation, outcome),
            )
        count, latency = series
        count.inc()
        latency.observe(seconds)

    def observe_http(self, route: str, status: int, seconds: float) -> None:
        series = self._http_series.get((route, status))
        if series is None:
            series = self._http_series[(route, status)] = (
                self.http_requests.labels(route, str(status)),
                self.http_seconds.labels(route),
            )
        count, latency = series
        count.inc()
        latency.observe(seconds)

    def watch_audit(self, stats: Callable[[], TrailStats]) -> None:
        """Report the audit trail's counters, read when metrics are scraped."""
        self.registry.register(_AuditCollector(stats))

    def render(self) -> bytes:
        return bytes(generate_latest(self.registry))


class _AuditCollector(Collector):
    def __init__(self, stats: Callable[[], TrailStats]) -> None:
        self._stats = stats

    def collect(self) -> Iterator[Metric]:
        stats = self._stats()
        yield CounterMetricFamily(
            "keygraph_audit_events_written", "Audit events committed.", value=stats.written
        )
        yield CounterMetricFamily(
            "keygraph_audit_batches", "Audit batches committed.", value=stats.batches
        )
        yield GaugeMetricFamily(
            "keygraph_audit_events_pending", "Audit events waiting to be written.", stats.pending
        )
        yield CounterMetricFamily(
            "keygraph_audit_write_failures", "Failed audit writes (retried).", value=stats.failures
        )
