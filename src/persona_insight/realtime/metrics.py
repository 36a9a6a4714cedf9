"""Prometheus metrics of the real-time path (per process; scrape each process's /metrics)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

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
