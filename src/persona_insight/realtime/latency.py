"""Client-observed delivery latency: pages measure it, the server keeps and shows it.

A page cannot trust its own clock against the server's (laptops drift by seconds), so it first
asks `GET /api/realtime/ping` for the server's time and estimates its offset NTP-style
(server_ts − (t0 + t1) / 2); then, for a sample of events, it reports receipt time + offset −
the event's `ts` to `POST /api/realtime/latency`. The samples feed a Prometheus histogram and a
bounded window of recent values whose percentiles the real-time debugger shows (this process's;
each process keeps its own, as with every metric).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from persona_insight.accounts.deps import CtxDep
from persona_insight.errors import RateLimited
from persona_insight.realtime import metrics

router = APIRouter(tags=["realtime"])

MAX_SAMPLES_PER_REPORT = 20
# A clock offset estimated from one round trip can be off by half of it, so a slightly
# negative latency is an honest sample (counted as 0); beyond these bounds it is not a delivery.
MIN_LATENCY_MS = -5_000.0
MAX_LATENCY_MS = 600_000.0
WINDOW_S = 15 * 60
KEPT = 5_000


Sample = Annotated[
    float, Field(strict=True, ge=MIN_LATENCY_MS, le=MAX_LATENCY_MS, allow_inf_nan=False)
]


class LatencyReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    samples_ms: list[Sample] = Field(min_length=1, max_length=MAX_SAMPLES_PER_REPORT)


class LatencyWindow:
    """The latest samples (at most KEPT, none older than WINDOW_S) and their percentiles."""

    def __init__(self) -> None:
        self.samples: deque[tuple[float, float]] = deque(maxlen=KEPT)
        self.lock = threading.Lock()

    def add(self, values_ms: list[float], now: float) -> None:
        with self.lock:
            self.samples.extend((now, max(0.0, v)) for v in values_ms)

    def summary(self, now: float) -> dict[str, Any]:
        with self.lock:
            while self.samples and self.samples[0][0] < now - WINDOW_S:
                self.samples.popleft()
            values = sorted(v for _, v in self.samples)
        out: dict[str, Any] = {"count": len(values), "window_s": WINDOW_S}
        for name, q in (("p50_ms", 0.5), ("p90_ms", 0.9), ("p99_ms", 0.99)):
            out[name] = _percentile(values, q)
        out["max_ms"] = round(values[-1], 1) if values else None
        return out


def _percentile(ordered: list[float], q: float) -> float | None:
    """Nearest-rank percentile (None without samples)."""
    if not ordered:
        return None
    return round(ordered[max(0, math.ceil(q * len(ordered)) - 1)], 1)


class ReportLimiter:
    """At most `per_minute` actions per key (a user, a company) in any 60 seconds (this process).

    A sliding window, not one per clock minute: with clock minutes a burst straddling a minute's
    end got twice the limit through (ten questions at :59 and ten more at :00).
    """

    MAX_USERS = 50_000
    WINDOW_S = 60.0

    def __init__(self) -> None:
        # The times of each key's actions inside the window, oldest first.
        self.windows: dict[UUID, deque[float]] = {}
        self.lock = threading.Lock()

    def allow(self, user_id: UUID, per_minute: int, now: float) -> bool:
        with self.lock:
            if len(self.windows) > self.MAX_USERS:
                # Keys with nothing left inside the window are forgotten.
                self.windows = {
                    u: w for u, w in self.windows.items() if w and w[-1] > now - self.WINDOW_S
                }
            times = self.windows.setdefault(user_id, deque())
            while times and times[0] <= now - self.WINDOW_S:
                times.popleft()
            if len(times) >= per_minute:
                return False
            times.append(now)
            return True

    def retry_after(self, user_id: UUID, now: float) -> int:
        """Whole seconds until the key's oldest action leaves the window (at least 1)."""
        with self.lock:
            times = self.windows.get(user_id)
            if not times:
                return 1
            oldest = times[0]
        return max(1, math.ceil(oldest + self.WINDOW_S - now))


WINDOW = LatencyWindow()
LIMITER = ReportLimiter()


def record(user_id: UUID, report: LatencyReport, per_minute: int, now: float) -> None:
    if not LIMITER.allow(user_id, per_minute, now):
        raise RateLimited(
            f"at most {per_minute} latency reports a minute",
            code="too_many_reports",
            headers={"Retry-After": str(LIMITER.retry_after(user_id, now))},
        )
    for value in report.samples_ms:
        metrics.CLIENT_LATENCY.observe(max(0.0, value) / 1000)
    WINDOW.add(report.samples_ms, now)


@router.get("/api/realtime/ping", summary="The server's time, for a page's clock offset")
async def ping(ctx: CtxDep) -> dict[str, float]:
    return {"server_ts": time.time()}


@router.post(
    "/api/realtime/latency",
    status_code=204,
    response_class=Response,
    summary="Report client-observed delivery latencies",
)
async def report_latency(body: LatencyReport, ctx: CtxDep) -> Response:
    record(ctx.user.user_id, body, ctx.rt.settings.latency_reports_per_minute, time.time())
    return Response(status_code=204)
