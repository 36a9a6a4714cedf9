"""A Dify/MISO-style `POST /v1/workflows/run` that answers from a script.

It checks the bearer key (401 with Dify's `{code, message, status}` body otherwise), accepts
`response_mode` (Dify) and `mode` (MISO), and answers either with the blocking JSON shape or with
the streaming event sequence (`workflow_started`, `node_started`, `node_finished`, `text_chunk`,
`ping`, `workflow_finished`). Scripted replies produce HTTP errors with Retry-After, failed runs,
in-stream `error` events, streams that stop early, and hangs.
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

APP_KEY = "app-fake-key-1234567890"


@dataclass
class Run:
    """What the fake does with one workflow run."""

    outputs: dict[str, Any] = field(default_factory=dict)
    status: str = "succeeded"
    error: str | None = None
    http_status: int = 200
    error_code: str = "invalid_param"
    error_message: str = "fake error"
    headers: dict[str, str] = field(default_factory=dict)
    stream_error: bool = False  # send an `error` event instead of finishing
    stream_cut: bool = False  # end the stream without `workflow_finished`
    text_chunks: list[str] = field(default_factory=list)
    hang_s: float = 0.0
    total_tokens: int = 1234
    elapsed_time: float = 3.5


Script = Callable[[dict[str, Any]], Run]


@dataclass
class Seen:
    body: dict[str, Any]
    headers: dict[str, str]


class FakeDify:
    def __init__(self, script: Script) -> None:
        self.script = script
        self.requests: list[Seen] = []
        self.stopping = threading.Event()
        self.base_url = ""
        self._ids = itertools.count(1)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/v1/workflows/run", self._handle, methods=["POST"])])

    async def _handle(self, request: Request) -> Response:
        body = await request.json()
        self.requests.append(Seen(body=body, headers=dict(request.headers)))
        if request.headers.get("authorization") != f"Bearer {APP_KEY}":
            return self._error(401, "unauthorized", "Access token is invalid")
        mode = body.get("response_mode", body.get("mode"))
        if mode not in ("blocking", "streaming") or not isinstance(body.get("inputs"), dict):
            return self._error(400, "invalid_param", "response_mode or inputs missing")
        run = self.script(body)
        if run.hang_s:
            deadline = time.monotonic() + run.hang_s
            while time.monotonic() < deadline and not self.stopping.is_set():
                await asyncio.sleep(0.02)
        if run.http_status != 200:
            return self._error(run.http_status, run.error_code, run.error_message, run.headers)
        run_id, task_id = f"run-{next(self._ids)}", f"task-{next(self._ids)}"
        if mode == "streaming":
            return StreamingResponse(
                self._events(run, run_id, task_id), media_type="text/event-stream"
            )
        return JSONResponse(
            {"workflow_run_id": run_id, "task_id": task_id, "data": self._data(run, run_id)}
        )

    def _error(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> JSONResponse:
        return JSONResponse(
            {"code": code, "message": message, "status": status},
            status_code=status,
            headers=headers or {},
        )

    def _data(self, run: Run, run_id: str) -> dict[str, Any]:
        return {
            "id": run_id,
            "workflow_id": "wf-1",
            "status": run.status,
            "outputs": run.outputs if run.status == "succeeded" else None,
            "error": run.error,
            "elapsed_time": run.elapsed_time,
            "total_tokens": run.total_tokens,
            "total_steps": 4,
            "created_at": int(time.time()),
            "finished_at": int(time.time()),
        }

    async def _events(self, run: Run, run_id: str, task_id: str) -> AsyncIterator[bytes]:
        def event(name: str, data: dict[str, Any] | None = None, **extra: Any) -> bytes:
            payload = {"event": name, "task_id": task_id, "workflow_run_id": run_id, **extra}
            if data is not None:
                payload["data"] = data
            return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n".encode()

        yield event("workflow_started", {"id": run_id, "workflow_id": "wf-1", "sequence_number": 1})
        yield event("node_started", {"id": "n1", "node_id": "llm", "node_type": "llm", "index": 1})
        yield b"event: ping\n\n"
        for text in run.text_chunks:
            yield event("text_chunk", {"text": text, "from_variable_selector": ["llm", "text"]})
        yield event("node_finished", {"id": "n1", "node_id": "llm", "status": "succeeded"})
        if run.stream_error:
            yield (
                "data: "
                + json.dumps(
                    {
                        "event": "error",
                        "task_id": task_id,
                        "status": 500,
                        "code": "internal_server_error",
                        "message": "model provider failed",
                    }
                )
                + "\n\n"
            ).encode()
            return
        if run.stream_cut:
            return
        yield event("workflow_finished", self._data(run, run_id))
