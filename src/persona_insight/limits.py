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
import contextlib
import logging
import tempfile
import threading
from collections.abc import Iterator
from typing import IO

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from persona_insight.errors import AppError, PayloadTooLarge, RateLimited
from persona_insight.http_errors import error_response

log = logging.getLogger(__name__)

# Multipart framing and form fields around the file itself.
_OVERHEAD = 64 * 1024
# A request without credentials can only sign in, sign up or follow a link: small forms. Reading
# bodies before authentication must not let anyone spool 50 MB per connection to disk.
ANONYMOUS_MAX_BYTES = 256 * 1024
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
        limit = self.limit if _has_credentials(scope) else ANONYMOUS_MAX_BYTES
        try:
            if declared > limit:
                raise BodyTooLarge(self._too_large_message(limit))
            body = await self._read(receive, limit)
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

    def _too_large_message(self, limit: int) -> str:
        if limit < self.limit:
            return f"sign in first: bodies without credentials are limited to {limit} bytes"
        return f"the upload is larger than the limit of {limit - _OVERHEAD} bytes"

    async def _read(self, receive: Receive, limit: int) -> _Body:
        body = _Body()
        try:
            await self._fill(body, receive, limit)
        except BaseException:
            body.close()
            raise
        return body

    async def _fill(self, body: _Body, receive: Receive, limit: int) -> None:
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
                if body.size > limit:
                    raise BodyTooLarge(self._too_large_message(limit))
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


def _has_credentials(scope: Scope) -> bool:
    """A bearer token or a session cookie is sent (whether valid is for the route to decide)."""
    for name, value in scope["headers"]:
        if name == b"authorization" or (name == b"cookie" and b"pi_session=" in value):
            return True
    return False


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


# --- uploads in flight ------------------------------------------------------------------------


class UploadSlots:
    """How many file uploads are being read at once, per user and in this process.

    Reading a file is the expensive part of an upload (a sandboxed process each, see
    ingest/sandbox.py); past the caps a new upload is refused at once with 429 rather than
    queued behind work its sender may already have abandoned.
    """

    def __init__(self, per_user: int, per_process: int) -> None:
        self.per_user = per_user
        self.per_process = per_process
        self._by_user: dict[object, int] = {}
        self._total = 0
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def hold(self, user: object) -> Iterator[None]:
        with self._lock:
            if self._total >= self.per_process:
                raise RateLimited(
                    "the server is reading as many uploads as it can; try again shortly",
                    code="server_busy",
                    details={"retry_after": _UPLOAD_RETRY_S},
                )
            if self._by_user.get(user, 0) >= self.per_user:
                raise RateLimited(
                    f"at most {self.per_user} of your uploads are read at once; "
                    "send the next when one is done",
                    code="too_many_uploads",
                    details={"retry_after": _UPLOAD_RETRY_S},
                )
            self._total += 1
            self._by_user[user] = self._by_user.get(user, 0) + 1
        try:
            yield
        finally:
            with self._lock:
                self._total -= 1
                left = self._by_user[user] - 1
                if left:
                    self._by_user[user] = left
                else:
                    del self._by_user[user]


_UPLOAD_RETRY_S = 5
_upload_slots: dict[tuple[int, int], UploadSlots] = {}
_upload_slots_lock = threading.Lock()


def upload_slots(per_user: int, per_process: int) -> UploadSlots:
    """The process's counters for these caps."""
    with _upload_slots_lock:
        key = (per_user, per_process)
        if key not in _upload_slots:
            _upload_slots[key] = UploadSlots(per_user, per_process)
        return _upload_slots[key]


async def disconnected(receive: Receive) -> None:
    """Returns when the client has gone: for a `receive` whose body has been read (BodyGate's
    replay passes later calls through to the server's, which then reports only the end)."""
    while (await receive())["type"] != "http.disconnect":
        pass
