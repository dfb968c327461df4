"""Prometheus metrics in a registry of their own, so every app (and every test) starts at zero."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

CONTENT_TYPE = CONTENT_TYPE_LATEST
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.operations = Counter(
            "keygraph_operations_total",
            "GraphQL root operations by outcome (ok or the AWS error code).",
            ["operation", "outcome"],
            registry=self.registry,
        )
        self.operation_seconds = Histogram(
            "keygraph_operation_seconds",
            "Time of the GraphQL request that ran the operation.",
            ["operation", "outcome"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.http_requests = Counter(
            "keygraph_http_requests_total",
            "HTTP requests by route and status code.",
            ["route", "status"],
            registry=self.registry,
        )
        self.http_seconds = Histogram(
            "keygraph_http_request_seconds",
            "HTTP request latency by route.",
            ["route"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )

    def observe_operation(self, operation: str, outcome: str, seconds: float) -> None:
        self.operations.labels(operation, outcome).inc()
        self.operation_seconds.labels(operation, outcome).observe(seconds)

    def observe_http(self, route: str, status: int, seconds: float) -> None:
        self.http_requests.labels(route, str(status)).inc()
        self.http_seconds.labels(route).observe(seconds)

    def render(self) -> bytes:
        return bytes(generate_latest(self.registry))
