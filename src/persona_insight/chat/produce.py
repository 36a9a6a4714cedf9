"""Answering one message: each responding persona in turn, streamed, stored once.

Every persona's answer is its own answer-stream message (search/answer_stream.py: the event
types and re-attach are defined there once), opened before the first persona starts so the
client knows every id at once. The producer is a task of its own, acting as the asking member
(row-level security holds for retrieval and citations): for each persona it retrieves from that
persona's interviews only, streams the engine's text, emits a `citation` after each sentence
whose citations the shared validator keeps, then stores the finished answer, its usage and —
for a shared conversation — `chat:message_added`, in one transaction, and only then emits
`message:end`. An error or a cancel ends the persona's message with `error` and stores nothing;
the personas after it are not asked.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from starlette.responses import StreamingResponse

from persona_insight.accounts.deps import actor_of
from persona_insight.accounts.repository import Authenticated
from persona_insight.chat import repository as repo
from persona_insight.chat.engines import PersonaEngine, Turn
from persona_insight.chat.repository import PersonaRow
from persona_insight.chat.retrieval import persona_evidence
from persona_insight.citations import Citation, validate_citation
from persona_insight.db import Database
from persona_insight.errors import AppError
from persona_insight.realtime import events
from persona_insight.search import answer_stream as stream
from persona_insight.search.answer_stream import Message
from persona_insight.search.ask import citation_data
from persona_insight.search.generation import Cited

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Responder:
    persona: PersonaRow
    message: Message
    cancelled: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[str] | None = None
    storing: bool = False  # past the point of no return: the answer is being committed


@dataclass(slots=True)
class ChatRun:
    user: Authenticated
    company_id: UUID
    project_id: UUID
    conversation_id: UUID
    shared: bool
    question: str
    korean: bool
    engine: PersonaEngine
    responders: list[Responder]
    history: list[tuple[str, str]] = field(default_factory=list)
    external_ids: dict[str, str] = field(default_factory=dict)


# Live responders by message id, for cancelling (bounded by the answer-stream registry's life).
_LIVE: dict[UUID, Responder] = {}


def cancel(message_id: UUID, user_id: UUID) -> bool:
    responder = _LIVE.get(message_id)
    if responder is None or responder.message.owner_id != user_id or responder.storing:
        return False
    responder.cancelled.set()
    # Stops the engine where it waits (a model that has not answered yet), not only between
    # pieces.
    if responder.task is not None:
        responder.task.cancel()
    return True


class Cancelled(AppError):
    code = "cancelled"


async def _answer_one(
    db: Database, run: ChatRun, responder: Responder, previous: list[tuple[PersonaRow, str]]
) -> str:
    message = responder.message
    persona = responder.persona
    started = time.perf_counter()
    message.emit(
        stream.MESSAGE_START,
        {
            "message_id": str(message.id),
            "conversation_id": str(run.conversation_id),
            "persona_code": persona.code,
            "persona_title": persona.title,
            "engine": run.engine.name,
        },
    )
    actor = actor_of(run.user)
    async with db.unit_of_work(actor) as session:
        interview_ids = (await repo.persona_interviews(session, run.project_id, [persona.code]))[
            persona.code
        ]
        evidence = await persona_evidence(session, run.question, run.project_id, interview_ids)
        profile_row = await repo.latest_profile(session, persona.id, run.project_id)
    turn = Turn(
        persona=persona,
        question=run.question,
        evidence=evidence,
        korean=run.korean,
        interviews=len(interview_ids),
        profile=_profile_text(profile_row),
        history=run.history,
        previous=previous,
        conversation_ref=run.external_ids.get(persona.code),
    )
    usage: dict[str, Any] = {}
    text: list[str] = []
    citations: list[dict[str, Any]] = []
    # A model cites the same few quotes sentence after sentence: each is checked by the shared
    # validator, and its lines looked up, once per answer rather than once per sentence.
    resolved: dict[Cited, tuple[Citation, dict[str, Any]] | None] = {}
    sentences = 0
    first_token_ms: int | None = None
    async for piece in run.engine.answer(turn, usage):
        if responder.cancelled.is_set():
            raise Cancelled("the answer was cancelled")
        if piece.text:
            # One event per piece the engine gives (a model's delta, an offline sentence): the
            # client renders text as it comes, and the server pays per event, not per word.
            if first_token_ms is None:
                first_token_ms = int((time.perf_counter() - started) * 1000)
            message.emit(stream.TOKEN, {"text": piece.text})
            text.append(piece.text)
        if not piece.ends_sentence:
            continue
        emitted: list[Citation] = []
        for cited in piece.citations:
            if cited not in resolved:
                valid = validate_citation(cited, evidence.check)
                resolved[cited] = (
                    (valid, citation_data(valid, evidence.check, 0))
                    if isinstance(valid, Citation)
                    else None
                )
            known = resolved[cited]
            if known is None or known[0] in emitted:
                continue
            emitted.append(known[0])
            data = {**known[1], "sentence": sentences}
            message.emit(stream.CITATION, data)
            citations.append(data)
        sentences += 1
    if responder.cancelled.is_set():
        raise Cancelled("the answer was cancelled")
    responder.storing = True
    if "conversation_id" in usage:
        run.external_ids[persona.code] = str(usage.pop("conversation_id"))
    content = "".join(text).strip()
    latency_ms = int((time.perf_counter() - started) * 1000)
    end = {
        "message_id": str(message.id),
        "conversation_id": str(run.conversation_id),
        "persona_code": persona.code,
        "text": content,
        "citations": len(citations),
        "usage": usage,
        "latency_ms": latency_ms,
        "first_token_ms": first_token_ms,
    }
    stored_events = [e.stored() for e in message.events] + [[stream.MESSAGE_END, end]]
    async with db.unit_of_work(actor) as session:
        values = {
            "id": message.id,
            "conversation_id": run.conversation_id,
            "company_id": run.company_id,
            "project_id": run.project_id,
            "role": "persona",
            "persona_code": persona.code,
            "author_id": None,
            "content": content,
            "citations": citations,
            "events": stored_events,
            "engine": run.engine.name,
            "model": run.engine.model,
            "usage": usage,
            "latency_ms": latency_ms,
        }
        await repo.add_message(session, values)
        tokens = int(usage.get("total_tokens") or 0)
        if tokens:
            await repo.add_usage(session, run.company_id, tokens, dt.datetime.now(dt.UTC))
        if run.external_ids:
            await repo.update_conversation(
                session, run.conversation_id, {"external_ids": run.external_ids}
            )
        if run.shared:
            await events.append(
                session,
                project_id=run.project_id,
                company_id=run.company_id,
                type=events.CHAT_MESSAGE_ADDED,
                data=message_event(values),
                actor_id=run.user.user_id,
            )
    message.emit(stream.MESSAGE_END, end)
    return content


def message_event(values: dict[str, Any]) -> dict[str, Any]:
    """The `chat:message_added` payload: the stored message as the conversation shows it."""
    return {
        "conversation_id": str(values["conversation_id"]),
        "message": {
            "id": str(values["id"]),
            "role": values["role"],
            "persona_code": values.get("persona_code"),
            "author_id": str(values["author_id"]) if values.get("author_id") else None,
            "content": values["content"],
            "citations": values.get("citations", []),
            "engine": values.get("engine"),
        },
    }


def _profile_text(row: Any) -> str:
    if row is None:
        return ""
    profile = getattr(row, "profile", None) or getattr(row, "result", None) or {}
    if isinstance(profile, dict):
        summary = profile.get("summary")
        if isinstance(summary, dict):
            return str(summary.get("text", ""))
        return str(summary or "")
    return ""


async def produce(db: Database, run: ChatRun) -> None:
    previous: list[tuple[PersonaRow, str]] = []
    failed: dict[str, Any] | None = None
    for responder in run.responders:
        _LIVE[responder.message.id] = responder
        try:
            if failed is not None:
                responder.message.emit(stream.ERROR, failed)
                continue
            responder.task = asyncio.create_task(_answer_one(db, run, responder, previous))
            try:
                said = await responder.task
            except asyncio.CancelledError:
                if not responder.cancelled.is_set():
                    raise  # the whole producer is being stopped (shutdown)
                raise Cancelled("the answer was cancelled") from None
            previous.append((responder.persona, said))
        except Exception as exc:
            if not isinstance(exc, Cancelled):
                log.exception("chat answer %s failed", responder.message.id)
            failed = stream.error_data(exc)
            if not responder.message.finished:
                responder.message.emit(stream.ERROR, failed)
            if isinstance(exc, Cancelled):
                failed = {"code": "cancelled", "message": "an earlier answer was cancelled"}
        finally:
            _LIVE.pop(responder.message.id, None)


_tasks: set[asyncio.Task[None]] = set()


def start(db: Database, run: ChatRun) -> None:
    task = asyncio.create_task(produce(db, run))
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


# How long a stream gathers tokens before writing them: invisible in reading, and with many
# answers streaming at once it turns a socket write per model delta into one per 20 ms.
COALESCE_S = 0.02


async def _chained(messages: Sequence[Message], first_after: int = -1) -> AsyncIterator[bytes]:
    """The messages' frames one after the other, written in batches (Message.batches)."""
    yield b"retry: 5000\n\n"
    after = first_after
    for message in messages:
        async for chunk in message.batches(after, COALESCE_S):
            yield chunk
        after = -1


def response(messages: Sequence[Message], after: int = -1) -> StreamingResponse:
    headers = {
        "Cache-Control": "no-cache",
        "X-Accel-Buffering": "no",
        "X-Message-Ids": ",".join(str(m.id) for m in messages),
    }
    return StreamingResponse(
        _chained(messages, after), media_type="text/event-stream", headers=headers
    )


def replay(stored: list[list[Any]], after: int) -> StreamingResponse:
    return stream.replay_response(stream.from_stored(stored), after)
