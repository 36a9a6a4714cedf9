"""Prometheus metrics of the real-time path (per process; scrape each process's /metrics)."""

from __future__ import annotations

import weakref
from collections import Counter as Counter_
from collections.abc import Iterator
from typing import Any

from prometheus_client import REGISTRY, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

SSE_CONNECTIONS = Gauge("pi_sse_connections", "Open SSE connections in this process.")
EVENTS_APPENDED = Counter("pi_events_appended_total", "Events written to the outbox.")
EVENTS_DELIVERED = Counter(
    "pi_sse_events_delivered_total", "Events written to SSE subscribers (one per subscriber)."
)
REPLAYS = Counter("pi_sse_replays_total", "Reconnects that replayed missed events.")
REPLAYED_EVENTS = Counter("pi_sse_replayed_events_total", "Events sent by replays.")
RESETS = Counter("pi_sse_resets_total", "Streams told to reload their state (sync:reset).")
DROPPED = Counter(
    "pi_sse_dropped_subscribers_total", "Subscribers closed for falling behind.", ["reason"]
)
HUB_READS = Counter("pi_hub_reads_total", "Outbox reads by the hub.")
HUB_LISTEN_RECONNECTS = Counter(
    "pi_hub_listen_reconnects_total", "Times the hub re-opened its LISTEN connection."
)
COMMIT_TO_WRITE = Histogram(
    "pi_sse_commit_to_write_seconds",
    "From an event's insert to its bytes written to subscribers' sockets: one observation per"
    " fan-out written straight to idle streams (timed after the last of them) and one per"
    " queued stream's write.",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
RECONNECTS = Counter(
    "pi_sse_reconnects_total",
    "Streams opened with a Last-Event-ID: a client resuming after a drop, whether replayed or"
    " reset.",
)
CLIENT_LATENCY = Histogram(
    "pi_sse_client_latency_seconds",
    "Client-observed delivery latency reported by pages: receipt time minus the event's ts,"
    " corrected by the page's estimate of its clock offset (a sample of events).",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)


class ProjectConnections(Collector):
    """`pi_sse_project_connections{project}`, read from the hubs at scrape time.

    One label per project would grow without bound (every project ever watched stays a series
    until the process restarts): only the `top` projects by open connections get a label of
    their own, the rest are summed under `other`, so a scrape never holds more than top + 1
    series whatever the number of projects.
    """

    def __init__(self) -> None:
        self.hubs: weakref.WeakSet[Any] = weakref.WeakSet()

    def track(self, hub: Any) -> None:
        self.hubs.add(hub)

    def untrack(self, hub: Any) -> None:
        """A stopped hub leaves at once, not whenever it is garbage-collected: until then its
        projects and its own `top` would still be read."""
        self.hubs.discard(hub)

    def counts(self) -> tuple[list[tuple[str, int]], int, int]:
        """(top projects and their connections, the rest's connections, projects watched)."""
        per_project: Counter_[str] = Counter_()
        top = 1
        for hub in list(self.hubs):
            top = max(top, int(hub.settings.metrics_top_projects))
            for project_id, subs in list(hub.subs.items()):
                per_project[str(project_id)] += len(subs)
        ranked = per_project.most_common()
        return ranked[:top], sum(n for _, n in ranked[top:]), len(ranked)

    def collect(self) -> Iterator[Metric]:
        ranked, rest, watched = self.counts()
        family = GaugeMetricFamily(
            "pi_sse_project_connections",
            "Open SSE connections per project: the projects with the most (see"
            ' PERSONA_INSIGHT_METRICS_TOP_PROJECTS), the rest summed as project="other".',
            labels=["project"],
        )
        for project, count in ranked:
            family.add_metric([project], count)
        family.add_metric(["other"], rest)
        yield family
        yield GaugeMetricFamily(
            "pi_sse_projects_watched", "Projects with at least one open stream.", value=watched
        )


PROJECT_CONNECTIONS = ProjectConnections()
REGISTRY.register(PROJECT_CONNECTIONS)
