"""The ask limiter counts any 60 seconds, not calendar minutes."""

from __future__ import annotations

import uuid

from persona_insight.search.rate import SlidingLimiter


def test_a_burst_across_a_minute_boundary_is_still_limited() -> None:
    limiter = SlidingLimiter()
    user = uuid.uuid4()
    # Ten asks at 59.5 s, then more at 60.5 s: a fixed-minute window let ten more through.
    assert all(limiter.retry_after(user, 10, 59.5) is None for _ in range(10))
    assert limiter.retry_after(user, 10, 60.5) == 59
    assert limiter.retry_after(user, 10, 119.4) == 1
    assert limiter.retry_after(user, 10, 119.6) is None
    # Another user has a window of their own.
    assert limiter.retry_after(uuid.uuid4(), 10, 60.5) is None
