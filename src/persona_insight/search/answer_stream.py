"""Streamed answers (ask now, persona chat later): one set of event types, one framing, and
re-attaching by message id (DESIGN §8).

A message is a numbered list of events — `message:start`, then `token`s interleaved with
`citation`s, then `message:end` or `error` — framed like the project stream (`id: <index>` and
`data: {"type", "data"}`, unnamed). The index is the event's place in the message, so a client
that re-attaches with `Last-Event-ID: n` receives exactly the events after n. The producer runs
as a task of its own, not in the request: a client that drops does not stop the answer, and
re-attaches to the same process's live message, or — once the message is committed — to its
stored events (the events are what is stored, so both give the same bytes).
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from starlette.responses import StreamingResponse

from persona_insight.analysis.engine import EngineError
from persona_insight.errors import AppError

MESSAGE_START = "message:start"
TOKEN = "token"  # noqa: S105 -- an event type, not a secret
CITATION = "citation"
MESSAGE_END = "message:end"
ERROR = "error"
EVENT_TYPES = frozenset({MESSAGE_START, TOKEN, CITATION, MESSAGE_END, ERROR})
FINAL = frozenset({MESSAGE_END, ERROR})

# A message longer than this is cut with an error: bounded memory per live answer.
MAX_EVENTS = 20_000
# How long a finished message stays in memory for re-attaching before only the table has it.
KEEP_FINISHED_S = 300.0
MAX_LIVE = 1_000


@dataclass(frozen=True, slots=True)
class Event:
    index: int
    type: str
    data: dict[str, Any]

    def frame(self) -> bytes:
        body = json.dumps({"type": self.type, "data": self.data}, ensure_ascii=False)
        return f"id: {self.index}\ndata: {body}\n\n".encode()

    def stored(self) -> list[Any]:
        return [self.type, self.data]


def error_data(exc: BaseException) -> dict[str, str]:
    """The data of the `error` event that ends a failed answer: what its reader may see. Our
    own errors carry a code and a message written for the client; anything else (a database
    error, a bug) is logged where it happened and reaches the client as `answer_failed` alone,
    because its text can quote SQL statements and their parameters."""
    if isinstance(exc, AppError | EngineError):
        return {"code": exc.code, "message": exc.message}
    return {"code": "answer_failed", "message": "the answer could not be finished"}


def from_stored(rows: Iterable[list[Any]]) -> list[Event]:
    return [Event(n, str(row[0]), dict(row[1])) for n, row in enumerate(rows)]


@dataclass(slots=True)
class Message:
    """A message being produced: its events so far, and a wake-up for its followers."""

    id: UUID
    owner_id: UUID
    events: list[Event] = field(default_factory=list)
    finished_at: float | None = None
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def finished(self) -> bool:
        return self.finished_at is not None

    @property
    def stored(self) -> bool:
        """Ended well, so it is stored (the end is announced only after the commit): readers
        go to the stored copy, which is gone once its conversation or answer is deleted (the
        copy here replayed a deleted conversation's answer for five more minutes)."""
        return bool(self.events) and self.events[-1].type == MESSAGE_END

    def emit(self, type: str, data: dict[str, Any]) -> Event:
        if type not in EVENT_TYPES:
            raise ValueError(f"unknown answer event type {type!r}")
        if self.finished:
            raise RuntimeError("the message is finished")
        if len(self.events) >= MAX_EVENTS - 1 and type not in FINAL:
            type, data = ERROR, {"code": "answer_too_long", "message": "the answer was cut"}
        event = Event(len(self.events), type, data)
        self.events.append(event)
        if type in FINAL:
            self.finished_at = time.monotonic()
        self._changed.set()
        return event

    async def follow(self, after: int = -1) -> AsyncIterator[Event]:
        """Events after index `after`, as they come, up to the final one."""
        position = after + 1
        while True:
            while position < len(self.events):
                event = self.events[position]
                position += 1
                yield event
                if event.type in FINAL:
                    return
            if self.finished:
                return
            self._changed.clear()
            if position < len(self.events):
                continue
            await self._changed.wait()

    async def batches(self, after: int = -1, linger_s: float = 0.0) -> AsyncIterator[bytes]:
        """The frames of the events after `after`, several at a time: everything produced
        while the previous write went out, and for `linger_s` after, goes out as one chunk.
        Many streams at once then cost one socket write per linger instead of one per token."""
        position = after + 1
        while True:
            if position < len(self.events):
                batch = self.events[position:]
                position += len(batch)
                yield b"".join(event.frame() for event in batch)
                if batch[-1].type in FINAL:
                    return
                if linger_s:
                    await asyncio.sleep(linger_s)
                continue
            if self.finished:
                return
            self._changed.clear()
            if position < len(self.events):
                continue
            await self._changed.wait()


class Registry:
    """This process's live and recently finished messages, bounded in count and age."""

    def __init__(self) -> None:
        self._messages: OrderedDict[UUID, Message] = OrderedDict()

    def open(self, message_id: UUID, owner_id: UUID) -> Message:
        self._sweep()
        message = Message(message_id, owner_id)
        self._messages[message_id] = message
        return message

    def get(self, message_id: UUID) -> Message | None:
        self._sweep()
        return self._messages.get(message_id)

    def _sweep(self) -> None:
        now = time.monotonic()
        for key in list(self._messages):
            message = self._messages[key]
            old = message.finished_at is not None and now - message.finished_at > KEEP_FINISHED_S
            if old or (len(self._messages) > MAX_LIVE and message.finished):
                del self._messages[key]


REGISTRY = Registry()


_INDEX = re.compile(r"[0-9]{1,9}")


def last_event_id(header: str | None) -> int:
    """The index a client last received (-1: none, or a value that is not an index). ASCII
    digits only, and few: `str.isdigit` took "²" and `int` then failed (a 500), and 5,000
    digits are no index either."""
    value = (header or "").strip()
    return int(value) if _INDEX.fullmatch(value) else -1


async def _framed(events: AsyncIterator[Event]) -> AsyncIterator[bytes]:
    yield b"retry: 5000\n\n"
    async for event in events:
        yield event.frame()


async def _replay(events: list[Event], after: int) -> AsyncIterator[Event]:
    for event in events[after + 1 :]:
        yield event


def response(events: AsyncIterator[Event], answer_id: UUID | None = None) -> StreamingResponse:
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    if answer_id is not None:
        # Known before the first event arrives, for a client that must re-attach early.
        headers["X-Answer-Id"] = str(answer_id)
    return StreamingResponse(_framed(events), media_type="text/event-stream", headers=headers)


def replay_response(events: list[Event], after: int) -> StreamingResponse:
    return response(_replay(events, after))
