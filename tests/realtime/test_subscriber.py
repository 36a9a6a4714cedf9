"""Back-pressure: bounded queues close instead of growing; stalled writes are cut."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from persona_insight.realtime.hub import KEEPALIVE, Hub
from persona_insight.realtime.subscriber import Subscriber

pytestmark = pytest.mark.anyio


def _sub(max_events: int = 4, max_bytes: int = 1000) -> Subscriber:
    return Subscriber(
        uuid.uuid4(),
        uuid.uuid4(),
        "kim",
        last_seq=0,
        max_events=max_events,
        max_bytes=max_bytes,
        now=0.0,
    )


def test_overflow_by_count_closes_and_frees_the_queue() -> None:
    sub = _sub(max_events=3)
    for seq in range(1, 4):
        sub.push(seq, b"x")
    assert not sub.closed
    sub.push(4, b"x")
    assert sub.closed
    assert sub.close_reason == "overflow"
    assert not sub.queue
    assert sub.queued_bytes == 0
    sub.push(5, b"x")  # ignored once closed
    assert not sub.queue


def test_overflow_by_bytes() -> None:
    sub = _sub(max_events=100, max_bytes=10)
    sub.push(1, b"12345")
    sub.push(2, b"12345")
    assert not sub.closed
    sub.push(3, b"1")
    assert sub.close_reason == "overflow"


def test_drain_batches_and_skips_what_the_replay_sent() -> None:
    sub = _sub()
    sub.last_seq = 2
    sub.push(2, b"two")
    sub.push(0, b"ping")
    sub.push(3, b"three", 123.0)
    data, events, newest = sub.drain()
    assert data == b"pingthree"
    assert events == 1
    assert newest == 123.0
    assert sub.last_seq == 3
    assert sub.queued_bytes == 0


async def test_wait_wakes_on_push_and_on_close() -> None:
    sub = _sub()
    waiter = asyncio.create_task(sub.wait())
    await asyncio.sleep(0)
    sub.push(1, b"x")
    await asyncio.wait_for(waiter, 1)
    sub.drain()
    waiter = asyncio.create_task(sub.wait())
    await asyncio.sleep(0)
    sub.close("shutdown")
    await asyncio.wait_for(waiter, 1)


async def test_sweep_cuts_stalled_writes_and_sends_keepalives(settings: Any) -> None:
    hub = Hub("postgresql:///unused", settings)
    stalled = hub.subscribe(uuid.uuid4(), uuid.uuid4(), "a", last_seq=0, counter=0)
    healthy = hub.subscribe(stalled.project_id, uuid.uuid4(), "b", last_seq=0, counter=0)
    blocked = asyncio.create_task(asyncio.sleep(60))
    stalled.task = blocked
    stalled.send_started = 100.0
    hub.sweep(100.0 + settings.sse_send_timeout_s + 1, keepalive=True)
    assert stalled.close_reason == "send_timeout"
    await asyncio.sleep(0)
    assert blocked.cancelled()
    assert not healthy.closed
    assert [d for _, d, _ in healthy.queue] == [KEEPALIVE]
    hub.unsubscribe(stalled)
    hub.unsubscribe(healthy)
    assert hub.subs == {}
