"""One open stream's bounded queue of encoded messages.

The hub pushes bytes that were encoded once for every subscriber; the stream drains them in
batches (one socket write for everything queued). When the queue would exceed its bounds the
subscriber is closed instead of growing: the client reconnects with its last id and replays
from the outbox, so nothing is lost and memory stays bounded.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any
from uuid import UUID


class Subscriber:
    __slots__ = (
        "_waiter",
        "close_reason",
        "closed",
        "connected_at",
        "last_seq",
        "max_bytes",
        "max_events",
        "presence_sent",
        "project_id",
        "queue",
        "queued_bytes",
        "send_started",
        "task",
        "user_id",
        "user_name",
    )

    def __init__(
        self,
        project_id: UUID,
        user_id: UUID,
        user_name: str,
        *,
        last_seq: int,
        max_events: int,
        max_bytes: int,
        now: float,
    ) -> None:
        self.project_id = project_id
        self.user_id = user_id
        self.user_name = user_name
        self.last_seq = last_seq
        self.max_events = max_events
        self.max_bytes = max_bytes
        self.queue: deque[tuple[int, bytes, float]] = deque()
        self.queued_bytes = 0
        self.closed = False
        self.close_reason: str | None = None
        self._waiter: asyncio.Future[None] | None = None
        self.connected_at = now
        self.send_started = 0.0  # monotonic time of the write in progress, 0 when idle
        self.presence_sent = False
        self.task: asyncio.Task[Any] | None = None  # the stream, cancelled if a write stalls

    def push(self, seq: int, data: bytes, ts: float = 0.0) -> None:
        """Queue one message (seq 0: not an outbox event). Closes the subscriber on overflow."""
        if self.closed:
            return
        if len(self.queue) >= self.max_events or self.queued_bytes + len(data) > self.max_bytes:
            self.close("overflow")
            return
        self.queue.append((seq, data, ts))
        self.queued_bytes += len(data)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def close(self, reason: str) -> None:
        if self.closed:
            return
        self.closed = True
        self.close_reason = reason
        if reason == "overflow":
            self.queue.clear()  # the client replays from the outbox; no point sending a backlog
            self.queued_bytes = 0
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def wait(self) -> None:
        """Until something is queued or the subscriber is closed."""
        if self.queue or self.closed:
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiter = waiter
        try:
            await waiter
        finally:
            self._waiter = None

    def drain(self) -> tuple[bytes, int, float]:
        """Everything queued that is newer than what was sent: bytes, events counted, oldest ts."""
        parts: list[bytes] = []
        events = 0
        newest_ts = 0.0
        last = self.last_seq
        while self.queue:
            seq, data, ts = self.queue.popleft()
            if seq:
                if seq <= last:
                    continue  # already sent by the replay
                last = seq
                events += 1
                newest_ts = ts
            parts.append(data)
        self.queued_bytes = 0
        self.last_seq = last
        return b"".join(parts), events, newest_ts
