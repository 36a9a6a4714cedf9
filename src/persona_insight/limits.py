"""Request body limit, enforced while the body streams in (before anything is buffered)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from persona_insight.errors import PayloadTooLarge
from persona_insight.http_errors import error_response

# Multipart framing and form fields around the file itself.
_OVERHEAD = 64 * 1024


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.limit = max_bytes + _OVERHEAD

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > self.limit:
                    await self._reject(scope, receive, send)
                    return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge(
                        f"the upload is larger than the limit of {self.limit - _OVERHEAD} bytes",
                        code="file_too_large",
                    )
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._reject(scope, receive, send)

    async def _reject(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(
            413,
            "file_too_large",
            f"the upload is larger than the limit of {self.limit - _OVERHEAD} bytes",
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)


class BodyTooLarge(PayloadTooLarge):
    """Raised from `receive`; the app's error handler answers 413 if the route lets it through."""
