"""The request body, read whole and bounded before the application sees the request.

Routes take a database connection before they read the body (the credential lookup comes
first), so a client that trickles a body would hold a connection for as long as it likes: 25
connections posting one byte every 3 s held the whole pool (issue 10, item 2). Here the body is
read first — limited in size (413) and in pace: at least `min_rate` bytes a second, measured
over each `window_s` (408 and the connection closed below it). A rate floor, not a deadline,
so a large upload on a slow but honest link still goes through. Bodies up to a megabyte stay in
memory; larger ones are spooled to a temporary file and replayed to the application from it.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from typing import IO

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from persona_insight.errors import AppError, PayloadTooLarge
from persona_insight.http_errors import error_response

log = logging.getLogger(__name__)

# Multipart framing and form fields around the file itself.
_OVERHEAD = 64 * 1024
_IN_MEMORY = 1024 * 1024
_REPLAY_CHUNK = 256 * 1024


class BodyTooSlow(AppError):
    status = 408
    code = "body_too_slow"


class BodyTooLarge(PayloadTooLarge):
    code = "file_too_large"


class _ClientGone(Exception):
    pass


class BodyGate:
    def __init__(
        self, app: ASGIApp, max_bytes: int, min_rate: int = 0, window_s: float = 10.0
    ) -> None:
        self.app = app
        self.limit = max_bytes + _OVERHEAD
        self.min_rate = min_rate
        self.window_s = window_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _declared_length(scope)
        if declared is None:
            await self.app(scope, receive, send)  # no body (GET and friends)
            return
        try:
            if declared > self.limit:
                raise BodyTooLarge(self._too_large_message())
            body = await self._read(receive)
        except AppError as exc:
            if isinstance(exc, BodyTooSlow):
                log.info("cut a slow request body on %s %s", scope["method"], scope["path"])
            response = error_response(
                exc.status, exc.code, exc.message, headers={"Connection": "close"}
            )
            await response(scope, receive, send)
            return
        except _ClientGone:
            return  # nobody to answer
        try:
            await self.app(scope, body.replay(receive), send)
        finally:
            body.close()

    def _too_large_message(self) -> str:
        return f"the upload is larger than the limit of {self.limit - _OVERHEAD} bytes"

    async def _read(self, receive: Receive) -> _Body:
        body = _Body()
        try:
            await self._fill(body, receive)
        except BaseException:
            body.close()
            raise
        return body

    async def _fill(self, body: _Body, receive: Receive) -> None:
        loop = asyncio.get_running_loop()
        need = self.min_rate * self.window_s
        window_end = loop.time() + self.window_s
        window_bytes = 0
        while True:
            if self.min_rate > 0:
                try:
                    async with asyncio.timeout_at(window_end):
                        message = await receive()
                except TimeoutError:
                    message = None
            else:
                message = await receive()
            if message is not None:
                if message["type"] == "http.disconnect":
                    raise _ClientGone
                chunk = message.get("body", b"")
                window_bytes += len(chunk)
                body.write(chunk)
                if body.size > self.limit:
                    raise BodyTooLarge(self._too_large_message())
                if not message.get("more_body", False):
                    return
            if self.min_rate > 0 and loop.time() >= window_end:
                if window_bytes < need:
                    raise BodyTooSlow(
                        f"the request body arrived slower than {self.min_rate} bytes per second"
                    )
                window_end = loop.time() + self.window_s
                window_bytes = 0


class _Body:
    """The received body: chunks in memory, spooled to a file past a megabyte."""

    __slots__ = ("_chunks", "_file", "size")

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self._file: IO[bytes] | None = None
        self.size = 0

    def write(self, chunk: bytes) -> None:
        if not chunk:
            return
        self.size += len(chunk)
        if self._file is None and self.size > _IN_MEMORY:
            self._file = tempfile.TemporaryFile(prefix="pi-body-")  # noqa: SIM115 - closed by close()
            self._file.writelines(self._chunks)
            self._chunks = []
        if self._file is not None:
            self._file.write(chunk)
        else:
            self._chunks.append(chunk)

    def replay(self, receive: Receive) -> Receive:
        """A `receive` that hands out the body, then passes through (to see a disconnect)."""
        if self._file is not None:
            self._file.seek(0)
        done = False

        async def replayed() -> Message:
            nonlocal done
            if done:
                return await receive()
            if self._file is None:
                done = True
                data = self._chunks[0] if len(self._chunks) == 1 else b"".join(self._chunks)
                self._chunks = []
                return {"type": "http.request", "body": data, "more_body": False}
            data = self._file.read(_REPLAY_CHUNK)
            more = self._file.tell() < self.size
            if not more:
                done = True
                self.close()
            return {"type": "http.request", "body": data, "more_body": more}

        return replayed

    def close(self) -> None:
        self._chunks = []
        if self._file is not None:
            self._file.close()
            self._file = None


def _declared_length(scope: Scope) -> int | None:
    """The body's announced length; 0 for a chunked body (its length is only known at the end);
    None when there is no body at all."""
    length: int | None = None
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                length = int(value)
            except ValueError:
                length = 0
        elif name == b"transfer-encoding":
            return 0 if length is None else length
    if length == 0:
        return None
    return length
