"""At most N questions a user may ask in any 60 seconds (this process).

A sliding window, not fixed minutes: with fixed windows a burst straddling a minute's end let
twice the limit through within seconds (and the rate-limit test failed on a slow machine, where
eleven asks spanned a minute boundary). `Retry-After` is the time until the oldest ask in the
window leaves it.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from uuid import UUID

WINDOW_S = 60.0
MAX_USERS = 50_000


class SlidingLimiter:
    def __init__(self) -> None:
        self._asks: dict[UUID, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, user_id: UUID, limit: int, now: float) -> int | None:
        """None when the ask is allowed (and counted); else whole seconds to wait (≥ 1)."""
        with self._lock:
            if len(self._asks) > MAX_USERS:
                self._asks = {u: q for u, q in self._asks.items() if q and q[-1] > now - WINDOW_S}
            asks = self._asks.setdefault(user_id, deque())
            while asks and asks[0] <= now - WINDOW_S:
                asks.popleft()
            if len(asks) >= limit:
                return max(1, math.ceil(asks[0] + WINDOW_S - now))
            asks.append(now)
            return None
