"""An OpenAI-compatible `/v1/chat/completions` endpoint that answers from a script.

It speaks the wire format the OpenAI SDK expects: plain JSON or `stream: true` server-sent
chunks, the answer as a tool call when the request offers tools and as message content when it
asks for a `response_format` (json_schema), usage totals, error bodies with status codes and
headers, and a configurable hang. Every request body and its headers are recorded.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route


@dataclass
class Reply:
    """What the fake does with one request."""

    payload: dict[str, Any] | None = None  # the structured answer
    text: str | None = None  # raw content / tool arguments instead of the payload (broken JSON…)
    finish_reason: str | None = None  # default: "tool_calls" for tools, "stop" otherwise
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    error: dict[str, Any] | None = None
    hang_s: float = 0.0
    usage: tuple[int, int] = (150, 60)


Responder = Callable[[dict[str, Any]], Reply]


@dataclass
class Seen:
    body: dict[str, Any]
    headers: dict[str, str]


class FakeOpenAI:
    def __init__(self, responder: Responder) -> None:
        self.responder = responder
        self.requests: list[Seen] = []
        self.stopping = threading.Event()
        self.base_url = ""
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/v1/chat/completions", self._handle, methods=["POST"])])

    async def _handle(self, request: Request) -> Response:
        body = await request.json()
        with self._lock:
            self.requests.append(Seen(body=body, headers=dict(request.headers)))
        reply = self.responder(body)
        if reply.hang_s:
            deadline = time.monotonic() + reply.hang_s
            while time.monotonic() < deadline and not self.stopping.is_set():
                await asyncio.sleep(0.02)
        if reply.status != 200:
            error = reply.error or {"message": f"fake error {reply.status}", "type": "fake_error"}
            return JSONResponse({"error": error}, status_code=reply.status, headers=reply.headers)
        if body.get("stream"):
            return StreamingResponse(
                self._stream(body, reply), media_type="text/event-stream", headers=reply.headers
            )
        return JSONResponse(self._completion(body, reply), headers=reply.headers)

    def _answer(self, body: dict[str, Any], reply: Reply) -> tuple[str | None, str, str]:
        """(tool name or None, text, finish reason)."""
        text = reply.text if reply.text is not None else json.dumps(reply.payload or {})
        tools = body.get("tools") or []
        if tools:
            name = tools[0]["function"]["name"]
            return name, text, reply.finish_reason or "tool_calls"
        return None, text, reply.finish_reason or "stop"

    def _usage(self, reply: Reply) -> dict[str, int]:
        prompt, completion = reply.usage
        return {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        }

    def _completion(self, body: dict[str, Any], reply: Reply) -> dict[str, Any]:
        tool, text, finish = self._answer(body, reply)
        message: dict[str, Any] = {"role": "assistant", "content": None if tool else text}
        if tool:
            message["tool_calls"] = [
                {
                    "id": f"call_{next(self._ids)}",
                    "type": "function",
                    "function": {"name": tool, "arguments": text},
                }
            ]
        return {
            "id": f"chatcmpl-fake-{next(self._ids)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "fake"),
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": self._usage(reply),
        }

    async def _stream(self, body: dict[str, Any], reply: Reply) -> AsyncIterator[bytes]:
        tool, text, finish = self._answer(body, reply)
        base = {
            "id": f"chatcmpl-fake-{next(self._ids)}",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": body.get("model", "fake"),
        }

        def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> bytes:
            data = {
                **base,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
            }
            return f"data: {json.dumps(data)}\n\n".encode()

        yield chunk({"role": "assistant", "content": "" if not tool else None})
        pieces = [text[i : i + 40] for i in range(0, len(text), 40)] or [""]
        if tool:
            yield chunk(
                {
                    "tool_calls": [
                        {
                            "index": 0,
                            "id": f"call_{next(self._ids)}",
                            "type": "function",
                            "function": {"name": tool, "arguments": ""},
                        }
                    ]
                }
            )
            for piece in pieces:
                yield chunk({"tool_calls": [{"index": 0, "function": {"arguments": piece}}]})
        else:
            for piece in pieces:
                yield chunk({"content": piece})
        yield chunk({}, finish)
        if (body.get("stream_options") or {}).get("include_usage"):
            usage = {**base, "choices": [], "usage": self._usage(reply)}
            yield f"data: {json.dumps(usage)}\n\n".encode()
        yield b"data: [DONE]\n\n"
