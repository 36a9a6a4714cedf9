"""A small httpx client for the Dify-style workflow API that MISO follows.

`POST {base}/workflows/run` with `Authorization: Bearer <app key>` and `{inputs, response_mode,
user}` (Dify) or `{inputs, mode, user}` (MISO). Blocking answers with the finished run; streaming
answers with server-sent `data:` lines (`workflow_started`, `node_started`, `node_finished`,
`text_chunk`, `workflow_finished`, `ping`, `error`). Both end in the same `WorkflowRun`.

HTTP and transport failures become `EngineError`s; the client never retries (the job queue does).
The key is only ever placed in the Authorization header.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any, Literal, Self

import httpx

from persona_insight.analysis.engine import EngineError

Variant = Literal["dify", "miso"]
ResponseMode = Literal["blocking", "streaming"]

MAX_ERROR_BODY = 4096


@dataclass(slots=True)
class WorkflowRun:
    status: str
    outputs: dict[str, Any]
    error: str | None = None
    workflow_run_id: str | None = None
    task_id: str | None = None
    elapsed_time: float | None = None
    total_tokens: int | None = None
    total_steps: int | None = None
    text: str = ""
    events: dict[str, int] = field(default_factory=dict)


def _retry_after(headers: httpx.Headers) -> float | None:
    raw = headers.get("retry-after")
    if not raw:
        return None
    try:
        return max(float(raw), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(raw)
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        return max((when - dt.datetime.now(dt.UTC)).total_seconds(), 0.0)
    except (TypeError, ValueError):
        return None


def _error_detail(body: bytes) -> tuple[str | None, str]:
    """Dify's `{code, message, status}` error shape, or a short excerpt of whatever came back."""
    try:
        data = json.loads(body[:MAX_ERROR_BODY])
    except ValueError:
        text = body[:300].decode("utf-8", "replace")
        return None, " ".join(text.split())
    if isinstance(data, dict):
        code = data.get("code")
        message = data.get("message") or data.get("error") or ""
        return (str(code) if code else None), " ".join(str(message).split())[:300]
    return None, ""


def http_error(status: int, headers: httpx.Headers, body: bytes) -> EngineError:
    code, message = _error_detail(body)
    detail = f"workflow API answered HTTP {status}"
    if code:
        detail += f" ({code})"
    if message:
        detail += f": {message}"
    if status == 429:
        return EngineError(
            "engine_rate_limited", detail, retryable=True, retry_after=_retry_after(headers)
        )
    if status >= 500 or status in (408, 409):
        return EngineError("engine_unavailable", detail, retryable=True)
    return EngineError("engine_rejected", detail, retryable=False)


def _transport_error(exc: httpx.HTTPError) -> EngineError:
    if isinstance(exc, httpx.TimeoutException):
        return EngineError(
            "engine_timeout", "the workflow API did not answer in time", retryable=True
        )
    return EngineError(
        "engine_unavailable",
        f"cannot reach the workflow API: {type(exc).__name__}",
        retryable=True,
    )


def _as_float(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return float(value)
    except ValueError:
        return None


def _as_int(value: object) -> int | None:
    number = _as_float(value)
    return int(number) if number is not None else None


def _run_from(data: Mapping[str, Any], *, run_id: object, task_id: object) -> WorkflowRun:
    outputs = data.get("outputs")
    return WorkflowRun(
        status=str(data.get("status") or ""),
        outputs=dict(outputs) if isinstance(outputs, Mapping) else {},
        error=str(data["error"]) if data.get("error") else None,
        workflow_run_id=str(run_id or data.get("id") or "") or None,
        task_id=str(task_id) if task_id else None,
        elapsed_time=_as_float(data.get("elapsed_time")),
        total_tokens=_as_int(data.get("total_tokens")),
        total_steps=_as_int(data.get("total_steps")),
    )


class MisoClient:
    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        variant: Variant = "dify",
        timeout_s: float = 290.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.variant = variant
        # The read timeout bounds the wait for the blocking answer and, when streaming, the gap
        # between two events (Dify pings every few seconds while a workflow runs).
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/") + "/",
            headers={"Authorization": f"Bearer {api_key}", "Accept": "application/json"},
            timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 10.0)),
            transport=transport,
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"MisoClient(base_url={str(self._http.base_url)!r}, variant={self.variant!r})"

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def _body(self, inputs: Mapping[str, str], mode: ResponseMode, user: str) -> dict[str, Any]:
        key = "mode" if self.variant == "miso" else "response_mode"
        return {"inputs": dict(inputs), key: mode, "user": user}

    async def run_workflow(
        self, inputs: Mapping[str, str], *, user: str, response_mode: ResponseMode = "blocking"
    ) -> WorkflowRun:
        body = self._body(inputs, response_mode, user)
        try:
            if response_mode == "streaming":
                return await self._streaming(body)
            return await self._blocking(body)
        except httpx.HTTPError as exc:
            raise _transport_error(exc) from None

    async def _blocking(self, body: dict[str, Any]) -> WorkflowRun:
        response = await self._http.post("workflows/run", json=body)
        if response.status_code != 200:
            raise http_error(response.status_code, response.headers, response.content)
        try:
            data = response.json()
        except ValueError:
            raise EngineError(
                "engine_unavailable", "the workflow API sent a non-JSON answer", retryable=True
            ) from None
        if not isinstance(data, dict) or not isinstance(data.get("data"), dict):
            raise EngineError(
                "engine_unavailable", "the workflow API answer has no `data`", retryable=True
            )
        return _run_from(
            data["data"], run_id=data.get("workflow_run_id"), task_id=data.get("task_id")
        )

    async def _streaming(self, body: dict[str, Any]) -> WorkflowRun:
        headers = {"Accept": "text/event-stream"}
        async with self._http.stream("POST", "workflows/run", json=body, headers=headers) as resp:
            if resp.status_code != 200:
                content = await resp.aread()
                raise http_error(resp.status_code, resp.headers, content)
            return await _consume(_sse_data(resp.aiter_lines()))


async def _sse_data(lines: AsyncIterator[str]) -> AsyncIterator[dict[str, Any]]:
    """The JSON objects of the stream's `data:` fields; comments and `event:` lines are skipped.

    An event is emitted as soon as its data parses, so a proxy that drops the blank line between
    events does not merge two of them; data split over several `data:` lines is joined first.
    """
    buffer: list[str] = []
    async for line in lines:
        if not line:
            buffer = []
            continue
        if not line.startswith("data:"):
            continue
        buffer.append(line[5:].lstrip())
        try:
            event = json.loads("\n".join(buffer))
        except ValueError:
            continue
        buffer = []
        if isinstance(event, dict):
            yield event


async def _consume(events: AsyncIterator[dict[str, Any]]) -> WorkflowRun:
    counts: dict[str, int] = {}
    text: list[str] = []
    run_id: object = None
    task_id: object = None
    async for event in events:
        kind = str(event.get("event") or "")
        counts[kind] = counts.get(kind, 0) + 1
        raw = event.get("data")
        data: dict[str, Any] = raw if isinstance(raw, dict) else {}
        run_id = event.get("workflow_run_id") or run_id
        task_id = event.get("task_id") or task_id
        if kind == "text_chunk":
            text.append(str(data.get("text", "")))
        elif kind == "workflow_finished":
            run = _run_from(data, run_id=run_id, task_id=task_id)
            run.text = "".join(text)
            run.events = counts
            return run
        elif kind == "error":
            status = _as_int(event.get("status")) or 500
            detail = json.dumps(
                {"code": event.get("code"), "message": event.get("message")}
            ).encode()
            raise http_error(status, httpx.Headers(), detail)
    raise EngineError(
        "engine_unavailable",
        "the workflow stream ended before `workflow_finished`",
        retryable=True,
    )
