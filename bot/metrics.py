"""Prometheus metrics for `/metrics`: one registry per process, exported by the HTTP server."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class Metrics:
    """The bot's counters; a private registry keeps tests and library metrics apart."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.items_ingested = Counter("uschina_items_ingested", "New or updated items stored",
                                      registry=self.registry)
        self.feed_errors = Counter("uschina_feed_errors", "Feed fetch or parse failures", registry=self.registry)
        self.deliveries = Counter("uschina_deliveries", "Outbox deliveries by result", ["result"],
                                  registry=self.registry)
        self.deliveries_pending = Gauge("uschina_deliveries_pending", "Outbox rows waiting to be sent",
                                        registry=self.registry)
        self.command_latency = Histogram(
            "uschina_command_seconds", "Time to answer a /uschina command", ["command"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5), registry=self.registry,
        )

    def observe_command(self, command: str, seconds: float) -> None:
        self.command_latency.labels(command=command).observe(seconds)

    def render(self) -> bytes:
        """The text exposition format."""
        return generate_latest(self.registry)


METRICS = Metrics()
