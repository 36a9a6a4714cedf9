"""The load side of bench/sse.py: raw asyncio protocols on 127.0.0.1, no HTTP library.

`Stream` is one SSE connection: it writes its GET, checks for `200`, then scans what arrives for
`id: <seq>` lines (the chunk framing never matches) and checks that every connection sees each
event once and in order. `Poll` is one keep-alive HTTP/1.1 client for `GET` requests. Both count
the bytes they write and read (headers and bodies as they cross the socket), which is what the
traffic comparison reports.
"""

from __future__ import annotations

import asyncio
import re
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

HOST = "127.0.0.1"  # the only address the benchmark ever connects to
ID_LINE = re.compile(rb"\nid: (\d+)\n")
now = time.perf_counter


def raise_file_limit() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


@dataclass
class Totals:
    """Per client process, across every connection."""

    bytes_out: int = 0
    bytes_in: int = 0
    reads: int = 0
    messages: int = 0  # outbox events (lines `id: n`) received
    disorder: int = 0  # an id that was not the previous one + 1 (a gap or a duplicate)
    comments: int = 0  # keep-alive comments received
    closed_by_server: int = 0


@dataclass
class Tracker:
    """Arrival times of events, per seq: all of them (`keep_all`) or only count and the last."""

    keep_all: bool = False
    times: dict[int, list[float]] = field(default_factory=dict)
    count: dict[int, int] = field(default_factory=dict)
    first: dict[int, float] = field(default_factory=dict)
    last: dict[int, float] = field(default_factory=dict)

    def seen(self, seq: int, at: float) -> None:
        n = self.count.get(seq)
        if n is None:
            self.count[seq] = 1
            self.first[seq] = at
        else:
            self.count[seq] = n + 1
        self.last[seq] = at
        if self.keep_all:
            self.times.setdefault(seq, []).append(at)


def sse_request(path: str, token: str, last_event_id: int | str | None = None) -> bytes:
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: {HOST}",
        "Accept: text/event-stream",
        "Cache-Control: no-cache",
        f"Authorization: Bearer {token}",
    ]
    if last_event_id is not None:
        lines.append(f"Last-Event-ID: {last_event_id}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


class Stream(asyncio.Protocol):
    """One event stream. `ready` resolves with the status; `done` when the connection ends."""

    __slots__ = (
        "_head",
        "_tail",
        "done",
        "expect",
        "last_seq",
        "ready",
        "request",
        "status",
        "totals",
        "tracker",
        "transport",
        "until",
        "until_event",
    )

    def __init__(
        self,
        request: bytes,
        totals: Totals,
        tracker: Tracker | None = None,
        *,
        expect: int | None = None,
        until: int | None = None,
    ) -> None:
        loop = asyncio.get_running_loop()
        self.request = request
        self.totals = totals
        self.tracker = tracker
        self.transport: asyncio.Transport | None = None
        self.ready: asyncio.Future[int] = loop.create_future()
        self.done: asyncio.Future[None] = loop.create_future()
        self.status = 0
        self._head = b""
        self._tail = b"\n"
        self.last_seq: int | None = None
        self.expect = expect  # the first id that must arrive (a replay's start), if known
        self.until = until  # resolve `until_event` once this id has arrived
        self.until_event: asyncio.Future[float] | None = (
            loop.create_future() if until is not None else None
        )

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        transport.write(self.request)
        self.totals.bytes_out += len(self.request)

    def data_received(self, data: bytes) -> None:
        at = now()
        totals = self.totals
        totals.bytes_in += len(data)
        totals.reads += 1
        if not self.status:
            head = self._head + data
            cut = head.find(b"\r\n\r\n")
            if cut < 0:
                self._head = head
                return
            self._head = b""
            self.status = int(head[9:12])
            if not self.ready.done():
                self.ready.set_result(self.status)
            if self.status != 200:
                self.transport.close()  # type: ignore[union-attr]
                return
            data = head[cut + 4 :]
            # The body starts with a chunk-size line, so an `id:` line is preceded by "\n".
        waiting = self.until_event is not None and not self.until_event.done()
        if waiting and self.until == 0 and data:  # only the stream's start was awaited
            self.until_event.set_result(at)  # type: ignore[union-attr]
            waiting = False
        buffer = self._tail + data
        ids = ID_LINE.findall(buffer)
        self._tail = buffer[buffer.rfind(b"\n") :]
        if ids:
            tracker = self.tracker
            last = self.last_seq
            for raw in ids:
                seq = int(raw)
                if last is None:
                    if self.expect is not None and seq != self.expect:
                        totals.disorder += 1
                elif seq != last + 1:
                    totals.disorder += 1
                last = seq
                if tracker is not None:
                    tracker.seen(seq, at)
            self.last_seq = last
            totals.messages += len(ids)
            if waiting and last >= self.until:  # type: ignore[operator]
                self.until_event.set_result(at)  # type: ignore[union-attr]
        totals.comments += data.count(b"\n:")
        if buffer.endswith(b"\n0\r\n\r\n"):  # the terminal chunk: the server ended the stream
            totals.closed_by_server += 1

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.ready.done():
            self.ready.set_result(self.status or -1)
        if self.until_event is not None and not self.until_event.done():
            self.until_event.set_result(-1.0)
        if not self.done.done():
            self.done.set_result(None)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


async def open_stream(
    port: int,
    request: bytes,
    totals: Totals,
    tracker: Tracker | None = None,
    *,
    expect: int | None = None,
    until: int | None = None,
    timeout: float = 30.0,
) -> Stream:
    loop = asyncio.get_running_loop()
    async with asyncio.timeout(timeout):
        _, proto = await loop.create_connection(
            lambda: Stream(request, totals, tracker, expect=expect, until=until), HOST, port
        )
        status = await proto.ready
    if status != 200:
        proto.close()
        raise ConnectionError(f"stream answered {status}")
    return proto


async def open_many(
    n: int,
    make: Callable[[int], Any],
    *,
    concurrency: int = 200,
    deadline_s: float = 300.0,
) -> tuple[list[Any], dict[str, int], float]:
    """Run `make(i)` for i < n with bounded concurrency; returns results, errors, seconds."""
    results: list[Any] = []
    errors: dict[str, int] = {}
    semaphore = asyncio.Semaphore(concurrency)
    started = now()
    deadline = started + deadline_s

    async def one(i: int) -> None:
        async with semaphore:
            if now() > deadline:
                errors["deadline"] = errors.get("deadline", 0) + 1
                return
            try:
                results.append(await make(i))
            except (OSError, ConnectionError, TimeoutError) as exc:
                key = type(exc).__name__
                errors[key] = errors.get(key, 0) + 1

    await asyncio.gather(*(one(i) for i in range(n)))
    return results, errors, now() - started


class Stalled(asyncio.Protocol):
    """A client that stops reading once the response has started (a frozen tab, a dead peer
    behind a NAT that still acknowledges nothing): the server must drop it, not buffer for it."""

    def __init__(self, request: bytes) -> None:
        self.request = request
        self.transport: asyncio.Transport | None = None
        self.bytes_in = 0
        self.started = asyncio.get_running_loop().create_future()
        self.lost = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        self.bytes_in += len(data)
        if not self.started.done():
            self.started.set_result(int(data[9:12]) if data.startswith(b"HTTP/") else -1)
            assert self.transport is not None
            self.transport.pause_reading()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.lost.done():
            self.lost.set_result(None)


async def open_stalled(port: int, request: bytes, rcvbuf: int = 4096) -> Stalled:
    import socket

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.setblocking(False)
    loop = asyncio.get_running_loop()
    await loop.sock_connect(sock, (HOST, port))
    _, proto = await loop.create_connection(lambda: Stalled(request), sock=sock)
    async with asyncio.timeout(10):
        await proto.started
    return proto


class Poll(asyncio.Protocol):
    """A keep-alive HTTP/1.1 client: `get()` one request at a time; counts every byte."""

    def __init__(self, totals: Totals) -> None:
        self.totals = totals
        self.transport: asyncio.Transport | None = None
        self.buffer = b""
        self.waiter: asyncio.Future[tuple[int, bytes]] | None = None
        self.lost = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.totals.bytes_in += len(data)
        self.totals.reads += 1
        self.buffer += data
        self._complete()

    def _complete(self) -> None:
        cut = self.buffer.find(b"\r\n\r\n")
        if cut < 0 or self.waiter is None:
            return
        head = self.buffer[:cut].decode("latin-1").lower()
        length = 0
        for line in head.split("\r\n")[1:]:
            name, _, value = line.partition(":")
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value:
                raise RuntimeError("the poll client expects Content-Length bodies")
        end = cut + 4 + length
        if len(self.buffer) >= end:
            status = int(self.buffer[9:12])
            body = self.buffer[cut + 4 : end]
            self.buffer = self.buffer[end:]
            waiter, self.waiter = self.waiter, None
            if not waiter.done():
                waiter.set_result((status, body))

    def connection_lost(self, exc: Exception | None) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError("closed"))
        if not self.lost.done():
            self.lost.set_result(None)

    async def get(self, request: bytes) -> tuple[int, bytes]:
        assert self.transport is not None
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(request)
        self.totals.bytes_out += len(request)
        return await self.waiter


class Poller:
    """One polling client: one request at a time (a poll that comes due while the previous
    one is still being answered waits for it); reconnects when the server closed its idle
    keep-alive connection."""

    def __init__(self, port: int, totals: Totals) -> None:
        self.port = port
        self.totals = totals
        self.conn: Poll | None = None
        self.connections = 0
        self.lock = asyncio.Lock()

    async def get(self, request: bytes) -> tuple[int, bytes]:
        async with self.lock:
            return await self._get(request)

    async def _get(self, request: bytes) -> tuple[int, bytes]:
        for _ in range(3):
            if self.conn is None or self.conn.lost.done():
                loop = asyncio.get_running_loop()
                _, self.conn = await loop.create_connection(
                    lambda: Poll(self.totals), HOST, self.port
                )
                self.connections += 1
            try:
                return await self.conn.get(request)
            except ConnectionError:
                self.conn = None
        raise ConnectionError("could not poll")

    def close(self) -> None:
        if self.conn is not None and self.conn.transport is not None:
            self.conn.transport.close()
