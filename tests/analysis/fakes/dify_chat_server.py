"""A Dify-style chat app: `POST /v1/chat-messages` with `response_mode: streaming` answers
server-sent `message` events carrying `answer` deltas, then `message_end` with the usage and the
conversation id (a new one unless the request continued one). Every request body is recorded.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from tests.analysis.fakes.dify_server import APP_KEY


@dataclass
class ChatReply:
    answer: str = ""
    event: str = "message"  # or "agent_message"
    error: str | None = None  # an in-stream `error` event instead of `message_end`
    usage: tuple[int, int] = (120, 30)


@dataclass
class DifyChat:
    script: Callable[[dict[str, Any]], ChatReply]
    requests: list[dict[str, Any]] = field(default_factory=list)
    base_url: str = ""
    stopping: threading.Event = field(default_factory=threading.Event)
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/v1/chat-messages", self._handle, methods=["POST"])])

    async def _handle(self, request: Request) -> Response:
        if request.headers.get("authorization") != f"Bearer {APP_KEY}":
            return JSONResponse(
                {"code": "unauthorized", "message": "bad key", "status": 401}, status_code=401
            )
        body = await request.json()
        self.requests.append(body)
        reply = self.script(body)
        conversation = body.get("conversation_id") or f"conv-{next(self._ids)}"
        return StreamingResponse(self._events(reply, conversation), media_type="text/event-stream")

    async def _events(self, reply: ChatReply, conversation: str) -> AsyncIterator[bytes]:
        def event(data: dict[str, Any]) -> bytes:
            return f"data: {json.dumps(data, ensure_ascii=False)}\n\n".encode()

        for i in range(0, len(reply.answer), 7):
            yield event(
                {
                    "event": reply.event,
                    "conversation_id": conversation,
                    "answer": reply.answer[i : i + 7],
                }
            )
        if reply.error:
            yield event({"event": "error", "status": 400, "message": reply.error})
            return
        prompt, completion = reply.usage
        yield event(
            {
                "event": "message_end",
                "conversation_id": conversation,
                "metadata": {
                    "usage": {
                        "prompt_tokens": prompt,
                        "completion_tokens": completion,
                        "total_tokens": prompt + completion,
                    },
                    "retriever_resources": [],
                },
            }
        )
