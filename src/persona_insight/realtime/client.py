"""A small Server-Sent-Events client over a raw asyncio connection.

It speaks just enough HTTP/1.1 (one GET, chunked or close-delimited body) to follow a stream as a
browser's EventSource would: `id:` moves the last event id, `retry:` sets the reconnect delay,
`data:` lines make the message, comments are keep-alives. `persona-insight events` uses it to tail
a project's stream; the tests and benchmarks use it as many concurrent clients.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass(slots=True)
class Message:
    data: str
    id: str | None = None
    event: str | None = None


@dataclass(slots=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes = b""


@dataclass(slots=True)
class SseClient:
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    last_event_id: str | None = None
    retry_ms: int | None = None
    comments: int = 0
    _reader: asyncio.StreamReader | None = None
    _writer: asyncio.StreamWriter | None = None
    _chunked: bool = False
    _remaining: int = 0

    async def connect(self, timeout: float = 10.0) -> Response:  # noqa: ASYNC109
        parts = urlsplit(self.url)
        host = parts.hostname or "127.0.0.1"
        port = parts.port or 80
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        async with asyncio.timeout(timeout):
            self._reader, self._writer = await asyncio.open_connection(host, port)
            lines = [
                f"GET {path} HTTP/1.1",
                f"Host: {host}:{port}",
                "Accept: text/event-stream",
                "Cache-Control: no-cache",
            ]
            if self.last_event_id is not None:
                lines.append(f"Last-Event-ID: {self.last_event_id}")
            lines += [f"{k}: {v}" for k, v in self.headers.items()]
            self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
            await self._writer.drain()
            status_line = await self._reader.readline()
            if not status_line:
                raise ConnectionError("the server closed the connection")
            status = int(status_line.split()[1])
            headers: dict[str, str] = {}
            while True:
                line = await self._reader.readline()
                if line in (b"\r\n", b"\n", b""):
                    break
                name, _, value = line.decode("latin-1").partition(":")
                headers[name.strip().lower()] = value.strip()
        self._chunked = headers.get("transfer-encoding", "").lower() == "chunked"
        response = Response(status, headers)
        if status != 200:
            response.body = await self._read_all(headers)
            await self.close()
        return response

    async def _read_all(self, headers: dict[str, str]) -> bytes:
        assert self._reader is not None
        if "content-length" in headers:
            return await self._reader.readexactly(int(headers["content-length"]))
        chunks: list[bytes] = []
        while True:
            chunk = await self._next_chunk()
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)

    async def _next_chunk(self) -> bytes:
        """The next piece of body: one HTTP chunk, or whatever arrived when not chunked."""
        assert self._reader is not None
        if not self._chunked:
            return await self._reader.read(65536)
        size_line = await self._reader.readline()
        if not size_line:
            return b""
        size = int(size_line.split(b";")[0].strip() or b"0", 16)
        if size == 0:
            await self._reader.readline()
            return b""
        data = await self._reader.readexactly(size)
        await self._reader.readexactly(2)
        return data

    async def messages(self) -> AsyncIterator[Message]:
        """Messages until the server ends the stream (then the iteration simply stops)."""
        buffer = b""
        data_lines: list[str] = []
        event: str | None = None
        while True:
            try:
                chunk = await self._next_chunk()
            except (asyncio.IncompleteReadError, ConnectionError):
                chunk = b""
            if not chunk:
                return
            buffer += chunk
            while True:
                cut = buffer.find(b"\n")
                if cut < 0:
                    break
                raw, buffer = buffer[:cut], buffer[cut + 1 :]
                line = raw.rstrip(b"\r").decode()
                if not line:
                    if data_lines:
                        yield Message("\n".join(data_lines), self.last_event_id, event)
                    data_lines, event = [], None
                    continue
                if line.startswith(":"):
                    self.comments += 1
                    continue
                name, _, value = line.partition(":")
                value = value[1:] if value.startswith(" ") else value
                if name == "data":
                    data_lines.append(value)
                elif name == "id":
                    self.last_event_id = value
                elif name == "retry" and value.isdigit():
                    self.retry_ms = int(value)
                elif name == "event":
                    event = value

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await self._writer.wait_closed()
            self._writer = None
            self._reader = None
