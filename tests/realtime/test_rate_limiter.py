"""The per-user limits on questions, chat messages and latency reports: any 60 seconds, not clock
minutes (a burst across a minute's end got twice the limit through)."""

from __future__ import annotations

import uuid

from persona_insight.realtime.latency import ReportLimiter


def test_a_burst_across_a_minute_end_gets_the_limit_once() -> None:
    limiter, user = ReportLimiter(), uuid.uuid4()
    assert all(limiter.allow(user, 10, 119.5) for _ in range(10))
    # One second later a new clock minute has begun; the ten are still inside the last 60 s.
    assert not limiter.allow(user, 10, 120.5)
    assert limiter.retry_after(user, 120.5) == 59
    # Once the first ones are a minute old, there is room again, for ten.
    assert all(limiter.allow(user, 10, 179.6) for _ in range(10))
    assert not limiter.allow(user, 10, 179.7)


def test_keys_are_apart_and_idle_keys_are_forgotten() -> None:
    limiter = ReportLimiter()
    limiter.MAX_USERS = 2
    a, b, c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    assert limiter.allow(a, 1, 0.0)
    assert limiter.allow(b, 1, 0.0)
    assert not limiter.allow(a, 1, 30.0)
    assert limiter.allow(c, 1, 100.0)  # three keys: a and b have nothing left in the window
    assert limiter.allow(c, 1, 100.0) is False
    assert limiter.allow(d := uuid.uuid4(), 1, 100.0)
    assert set(limiter.windows) <= {c, d}
    assert limiter.retry_after(uuid.uuid4(), 5.0) == 1
