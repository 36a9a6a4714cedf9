"""Back-pressure over a real server: a client that stops reading is dropped for overflow while a
healthy client on the same project receives everything, and the dropped one loses nothing when
it reconnects with its last id."""

from __future__ import annotations

import asyncio
import json
import re
import socket
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest
from prometheus_client import REGISTRY

from persona_insight.db import Database
from persona_insight.realtime.client import SseClient
from persona_insight.realtime.events import EVENT_TYPES, INTERVIEW_UPDATED, append
from tests.live import LiveServer, start_live
from tests.support import as_owner, http, make_user

pytestmark = pytest.mark.anyio

EVENTS = 300
PAYLOAD = "x" * 32_000  # 300 × 32 KB ≈ 9.6 MB: more than the kernel and transport buffers hold
MESSAGE = re.compile(rb"id: (\d+)\ndata: [^\n]*\n\n")


@pytest.fixture
def small_queue_server(settings: Any) -> Iterator[LiveServer]:
    tight = settings.model_copy(update={"sse_queue_events": 8, "sse_queue_bytes": 128 * 1024})
    live, sock = start_live(tight)
    yield live
    if live.thread.is_alive():
        live.stop()
    sock.close()


def _dropped() -> float:
    value = REGISTRY.get_sample_value("pi_sse_dropped_subscribers_total", {"reason": "overflow"})
    return value or 0.0


async def _stalled_stream(url: str, path: str, token: str) -> socket.socket:
    """A stream whose reader reads the response head and then nothing more."""
    host, port = url.removeprefix("http://").split(":")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setblocking(False)
    loop = asyncio.get_running_loop()
    await loop.sock_connect(sock, (host, int(port)))
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: text/event-stream\r\n"
        f"Authorization: Bearer {token}\r\n\r\n"
    )
    await loop.sock_sendall(sock, request.encode())
    head = b""
    async with asyncio.timeout(10):
        while b"retry: 5000" not in head:
            head += await loop.sock_recv(sock, 4096)
    assert head.startswith(b"HTTP/1.1 200")
    return sock


async def _outbox_seqs(stream: SseClient, n: int, timeout: float) -> list[int]:
    """The seqs of the next `n` outbox events; stream messages such as `presence:changed` (the
    stalled stream's drop changes who is here) carry no id of their own and are passed over."""
    seqs: list[int] = []

    async def collect() -> None:
        async for message in stream.messages():
            body = json.loads(message.data)
            if body["type"] in EVENT_TYPES:
                seqs.append(int(body["seq"]))
                if len(seqs) >= n:
                    return

    await asyncio.wait_for(collect(), timeout)
    return seqs


async def _read_to_end(sock: socket.socket) -> bytes:
    loop = asyncio.get_running_loop()
    data = b""
    try:
        async with asyncio.timeout(30):
            while chunk := await loop.sock_recv(sock, 1 << 16):
                data += chunk
    except ConnectionResetError:
        pass  # an aborted stream: what arrived before the reset still counts
    return data


async def test_a_client_that_stops_reading_is_dropped_and_loses_nothing(
    small_queue_server: LiveServer, settings: Any
) -> None:
    live = small_queue_server
    db = Database(settings.database_url, pool_size=1)
    try:
        owner = await make_user(db, email="owner@acme.test")
    finally:
        await db.dispose()
    async with http(live.url, owner) as c:
        project = (await c.post("/api/projects", json={"name": "Pressure"})).json()
    path = f"/api/sse/projects/{project['id']}"
    hub = live.app.api.state.runtime.hub

    healthy = SseClient(f"{live.url}{path}", headers=owner.headers)
    assert (await healthy.connect()).status == 200
    stalled = await _stalled_stream(live.url, path, owner.token)
    received = asyncio.create_task(_outbox_seqs(healthy, EVENTS, timeout=120))
    dropped_before = _dropped()
    try:
        async with asyncio.timeout(10):
            while len(hub.subs.get(UUID(project["id"]), ())) < 2:
                await asyncio.sleep(0.05)

        for start in range(0, EVENTS, 50):
            async with as_owner(settings.database_url) as session:
                for i in range(start, start + 50):
                    await append(
                        session,
                        project_id=UUID(project["id"]),
                        company_id=owner.company_id,
                        type=INTERVIEW_UPDATED,
                        data={"n": i, "pad": PAYLOAD},
                        actor_id=None,
                    )

        # The healthy client gets every event, in order, while the other one stalls.
        assert await received == list(range(1, EVENTS + 1))

        async with asyncio.timeout(15):
            while _dropped() <= dropped_before:
                await asyncio.sleep(0.05)
        assert len(hub.subs.get(UUID(project["id"]), ())) == 1  # only the healthy one is left

        # What the stalled client got before it was cut is a prefix; a reconnect from its last
        # id replays exactly the rest.
        got = [int(n) for n in MESSAGE.findall(await _read_to_end(stalled))]
        assert got == list(range(1, len(got) + 1))
        assert len(got) < EVENTS
        last = got[-1] if got else 0
        again = SseClient(f"{live.url}{path}", headers=owner.headers, last_event_id=str(last))
        assert (await again.connect()).status == 200
        try:
            rest = await _outbox_seqs(again, EVENTS - last, timeout=60)
        finally:
            await again.close()
        assert rest == list(range(last + 1, EVENTS + 1))
    finally:
        received.cancel()
        stalled.close()
        await healthy.close()
