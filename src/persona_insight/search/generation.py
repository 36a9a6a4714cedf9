"""Generated answers, streamed: the plumbing ask and persona chat share (DESIGN §8).

A model writes text with `[n]` markers naming the numbered quotes it was given; `Citer` turns
that stream into `Piece`s whose sentences carry the citations their markers named (unknown
numbers dropped, so a sentence can only cite what it was given). `stream_model` runs one
pydantic-ai model request, `stream_chat_app` one Dify/MISO `chat-messages` call; each feeds a
`Citer` and records usage. What the prompt says is the caller's (ask and chat differ there).
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import json
import re
from collections import OrderedDict
from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx
from pydantic_ai.direct import model_request_stream
from pydantic_ai.messages import (
    ModelRequest,
    PartDeltaEvent,
    PartStartEvent,
    SystemPromptPart,
    TextPart,
    TextPartDelta,
    UserPromptPart,
)

from persona_insight.analysis.engine import EngineError
from persona_insight.analysis.llm.errors import map_error
from persona_insight.analysis.llm.provider import ModelHandle, build_model
from persona_insight.analysis.miso.client import http_error
from persona_insight.citations import Citation, DocumentCitation
from persona_insight.config import Settings
from persona_insight.search.ask import Piece

# A marker takes the space before it along ("full [1]." reads "full.").
_MARKER = re.compile(r"\s*\[(\d{1,3})\]")
_SENTENCE_END = re.compile(r"[.!?。？！…]\s|[.!?。？！]$|\n")

Cited = Citation | DocumentCitation


class Citer:
    """Turns a stream of model text with [n] markers into Pieces: markers never reach the
    reader; each sentence ends with the citations its markers named (unknown numbers are
    dropped, so a sentence can only cite quotes it was given)."""

    def __init__(self, chosen: Sequence[tuple[Cited, str]]) -> None:
        self._chosen = chosen
        self._pending = ""
        self._cited: list[Cited] = []

    def _take_markers(self, text: str) -> str:
        def keep(match: re.Match[str]) -> str:
            n = int(match.group(1))
            if 1 <= n <= len(self._chosen):
                citation = self._chosen[n - 1][0]
                if citation not in self._cited:
                    self._cited.append(citation)
            return ""

        return _MARKER.sub(keep, text)

    def feed(self, delta: str) -> list[Piece]:
        self._pending += delta
        pieces: list[Piece] = []
        while True:
            # Hold back an unclosed "[12" until it is known to be a marker or not.
            cut = self._pending.rfind("[")
            safe = self._pending if cut < 0 or "]" in self._pending[cut:] else self._pending[:cut]
            if cut >= 0 and len(self._pending) - cut > 6:
                safe = self._pending
            match = _SENTENCE_END.search(safe)
            if match is None:
                # Trailing spaces wait too: a marker may follow them.
                safe = safe.rstrip()
                if safe:
                    text = self._take_markers(safe)
                    self._pending = self._pending[len(safe) :]
                    if text:
                        pieces.append(Piece(text))
                return pieces
            end = match.end()
            # A marker right after the full stop belongs to that sentence.
            tail = _MARKER.match(self._pending[end:].lstrip())
            if tail:
                end = len(self._pending) - len(self._pending[end:].lstrip()) + tail.end()
            text = self._take_markers(self._pending[:end])
            self._pending = self._pending[end:]
            pieces.append(Piece(text, citations=self._cited, ends_sentence=True))
            self._cited = []

    def close(self) -> list[Piece]:
        text = self._take_markers(self._pending)
        self._pending = ""
        if not text.strip() and not self._cited:
            return [Piece(text)] if text else []
        pieces = [Piece(text, citations=self._cited, ends_sentence=True)]
        self._cited = []
        return pieces


_MODELS: OrderedDict[tuple[Any, ...], ModelHandle] = OrderedDict()
_KEEP_MODELS = 16
_CLOSING: set[asyncio.Task[None]] = set()


def _model(spec: str, base_url: str | None, key: str | None, timeout_s: float) -> ModelHandle:
    """A model client kept for the event loop and configuration (a new client costs ~160 ms of
    CPU, nearly all of it loading the CA store for its TLS context). Analysis jobs build their
    own per run, on whatever loop the job runs; chat answers come from the server's one loop."""
    loop = asyncio.get_running_loop()
    cache_key = (
        id(loop),
        spec,
        base_url,
        hashlib.sha256((key or "").encode()).hexdigest(),
        timeout_s,
    )
    handle = _MODELS.get(cache_key)
    if handle is None:
        handle = _MODELS[cache_key] = build_model(
            spec, base_url=base_url, api_key=key, timeout_s=timeout_s
        )
        while len(_MODELS) > _KEEP_MODELS:
            _, old = _MODELS.popitem(last=False)
            closing = loop.create_task(old.aclose())
            _CLOSING.add(closing)
            closing.add_done_callback(_CLOSING.discard)
    else:
        _MODELS.move_to_end(cache_key)
    return handle


def preload() -> None:
    """Import the OpenAI-compatible client that chat and ask stream through, before the first
    answer: the first import costs ~1.4 s of CPU (measured), and made under an answer it stalls
    the event loop — that answer's first token and every stream in flight — for as long (the p95
    of time to first token in bench/chat.py was that stall)."""
    for module in (
        "openai",
        "pydantic_ai.models.openai",
        "pydantic_ai.providers.openai",
        "pydantic_ai.providers.openai_compatible",
        "persona_insight.analysis.llm.openai_client",
    ):
        importlib.import_module(module)


async def close_models() -> None:
    """Close the clients kept for the running loop (at the app's shutdown)."""
    loop = id(asyncio.get_running_loop())
    for cache_key in [k for k in _MODELS if k[0] == loop]:
        await _MODELS.pop(cache_key).aclose()


def _text_of(event: object) -> str:
    if isinstance(event, PartStartEvent) and isinstance(event.part, TextPart):
        return event.part.content
    if isinstance(event, PartDeltaEvent) and isinstance(event.delta, TextPartDelta):
        return event.delta.content_delta
    return ""


async def stream_model(
    settings: Settings,
    *,
    system: str,
    prompt: str,
    citer: Citer,
    usage: dict[str, Any],
    max_tokens: int = 800,
) -> AsyncIterator[Piece]:
    """One model request through pydantic-ai, streamed into `citer`'s pieces."""
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    handle = _model(settings.llm_model, settings.llm_base_url, key, settings.llm_timeout_s)
    usage["model"] = handle.name
    # One model request, streamed through pydantic-ai's direct interface: an agent run adds a
    # graph of steps around it that cost about as much CPU again per streamed delta (measured:
    # 89 vs 53 ms for a 1,400-word answer), and these answers need no tools, retries or
    # structured output.
    request = ModelRequest(parts=[SystemPromptPart(system), UserPromptPart(prompt)])
    try:
        async with model_request_stream(
            handle.model,
            [request],
            model_settings={**(handle.settings or {}), "max_tokens": max_tokens},
        ) as stream:
            async for event in stream:
                delta = _text_of(event)
                if delta:
                    for piece in citer.feed(delta):
                        yield piece
            spent = stream.usage
        usage.update(
            input_tokens=spent.input_tokens,
            output_tokens=spent.output_tokens,
            total_tokens=spent.input_tokens + spent.output_tokens,
            requests=1,
        )
    except EngineError:
        raise
    except Exception as exc:
        raise map_error(exc, secrets=[key]) from None
    for piece in citer.close():
        yield piece


async def stream_chat_app(
    settings: Settings, body: dict[str, Any], citer: Citer, usage: dict[str, Any]
) -> AsyncIterator[Piece]:
    """One Dify/MISO chat-app call (`POST {base}/chat-messages`, streaming): `message` and
    `agent_message` deltas into `citer`, `message_end`'s usage and conversation id into
    `usage`; an in-stream `error` or an HTTP failure is an `EngineError`."""
    if not settings.miso_base_url or not settings.miso_api_key:
        raise EngineError(
            "engine_not_configured", "no MISO/Dify URL or key is set", retryable=False
        )
    key = settings.miso_api_key.get_secret_value()
    url = settings.miso_base_url.rstrip("/") + "/chat-messages"
    try:
        async with (
            httpx.AsyncClient(timeout=settings.miso_timeout_s) as client,
            client.stream("POST", url, json=body, headers={"Authorization": f"Bearer {key}"}) as r,
        ):
            if r.status_code >= 400:
                raise http_error(r.status_code, r.headers, await r.aread())
            async for line in r.aiter_lines():
                if not line.startswith("data:"):
                    continue
                try:
                    event = json.loads(line[5:].strip())
                except ValueError:
                    continue
                kind = event.get("event")
                if kind in ("message", "agent_message"):
                    for piece in citer.feed(str(event.get("answer", ""))):
                        yield piece
                elif kind == "message_end":
                    spent = (event.get("metadata") or {}).get("usage") or {}
                    usage.update(
                        input_tokens=int(spent.get("prompt_tokens") or 0),
                        output_tokens=int(spent.get("completion_tokens") or 0),
                        total_tokens=int(spent.get("total_tokens") or 0),
                    )
                    if event.get("conversation_id"):
                        usage["conversation_id"] = str(event["conversation_id"])
                    # The app's own knowledge retrievals: counted, never cited (they name no
                    # line or chunk of ours, so the validator could not check them).
                    resources = (event.get("metadata") or {}).get("retriever_resources") or []
                    if resources:
                        usage["retriever_resources"] = len(resources)
                elif kind == "error":
                    raise EngineError(
                        "engine_rejected",
                        f"the chat app failed: {str(event.get('message', ''))[:300]}",
                        retryable=False,
                    )
    except httpx.TimeoutException:
        raise EngineError(
            "engine_timeout", "the chat app did not answer in time", retryable=True
        ) from None
    except httpx.HTTPError as exc:
        raise EngineError(
            "engine_unavailable", f"cannot reach the chat app: {type(exc).__name__}", retryable=True
        ) from None
    for piece in citer.close():
        yield piece
