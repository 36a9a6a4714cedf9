"""One open stream's bounded queue of encoded messages.

The hub pushes bytes that were encoded once for every subscriber. A live stream that is idle
(its task parked, nothing queued, the socket accepting writes) gets them written to its socket
at once, by the push itself, with no task switch (see `attach`); otherwise they are queued and
the stream drains them in batches (one socket write for everything queued). When the queue would
exceed its bounds the subscriber is closed instead of growing: the client reconnects with its
last id and replays from the outbox, so nothing is lost and memory stays bounded.
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol
from uuid import UUID


class Transport(Protocol):
    def write(self, data: bytes) -> None: ...
    def is_closing(self) -> bool: ...
    def abort(self) -> None: ...


class Flow(Protocol):
    write_paused: bool


def chunk(data: bytes) -> bytes:
    """`data` as one HTTP/1.1 chunk."""
    return b"%x\r\n%b\r\n" % (len(data), data)


class Subscriber:
    __slots__ = (
        "_waiter",
        "chunked",
        "close_reason",
        "closed",
        "connected_at",
        "flow",
        "keepalive_at",
        "last_seq",
        "max_bytes",
        "max_events",
        "presence_sent",
        "project_id",
        "queue",
        "queued_bytes",
        "send_started",
        "task",
        "transport",
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
        # A list, not a deque: an empty deque takes ~760 bytes, and most streams are idle.
        self.queue: list[tuple[int, bytes, float]] = []
        self.queued_bytes = 0
        self.closed = False
        self.close_reason: str | None = None
        self._waiter: asyncio.Future[None] | None = None
        self.connected_at = now
        self.keepalive_at = float("inf")  # when the hub's sweep sends the next keep-alive
        self.send_started = 0.0  # monotonic time of the write in progress, 0 when idle
        self.presence_sent = False
        self.task: asyncio.Task[Any] | None = None  # the stream, cancelled if a write stalls
        # Set by `attach` once the stream is live: pushes may then write to the socket directly.
        self.transport: Transport | None = None
        self.flow: Flow | None = None
        self.chunked = True

    def attach(self, transport: Transport, flow: Flow, *, chunked: bool) -> None:
        """Let pushes write straight to the socket while the stream is idle.

        `flow.write_paused` is the server's back-pressure flag (the transport's buffer is above
        its high-water mark): while it is set, or anything is queued, or the stream's task is
        not parked in `wait`, pushes are queued as before, so order is kept and a stalled client
        still ends in a blocked send that the hub's sweep cuts.
        """
        self.transport = transport
        self.flow = flow
        self.chunked = chunked

    def push(self, seq: int, data: bytes, ts: float = 0.0, framed: bytes | None = None) -> bool:
        """Send or queue one message (seq 0: not an outbox event); True if written now.

        `framed` is `data` as an HTTP chunk, when the caller made it once for many subscribers.
        Closes the subscriber on overflow.
        """
        if self.closed:
            return False
        transport = self.transport
        if transport is not None and self._waiter is not None and not self.queue:
            if seq and seq <= self.last_seq:
                return False  # already sent by the replay
            if not self.flow.write_paused and not transport.is_closing():  # type: ignore[union-attr]
                if self.chunked:
                    transport.write(framed if framed is not None else chunk(data))
                else:
                    transport.write(data)
                if seq:
                    self.last_seq = seq
                    return True
                return False
        if len(self.queue) >= self.max_events or self.queued_bytes + len(data) > self.max_bytes:
            self.close("overflow")
            return False
        self.queue.append((seq, data, ts))
        self.queued_bytes += len(data)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        return False

    def push_many(
        self, first: int, last: int, framed: bytes, items: list[tuple[int, bytes]], ts: float
    ) -> int:
        """Events `first`..`last` (consecutive), written at once when possible: `framed` is
        all of them as one chunk. Returns how many were written now."""
        if (
            self.transport is not None
            and self.chunked
            and self._waiter is not None
            and not self.queue
            and self.last_seq < first
            and not self.closed
            and not self.flow.write_paused  # type: ignore[union-attr]
            and not self.transport.is_closing()
        ):
            self.transport.write(framed)
            self.last_seq = last
            return len(items)
        written = 0
        for seq, data in items:
            if self.push(seq, data, ts):
                written += 1
        return written

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
        queued, self.queue = self.queue, []
        for seq, data, ts in queued:
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
