"""What the chat routes take and give."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

MAX_MESSAGE = 4000


class ChatIn(BaseModel):
    """A message: to a conversation, or the first of a new one with `project_id` and the
    persona(s). `@P3` in the text (or `mentions`) makes those personas answer in turn; `panel`
    asks every persona of the project."""

    model_config = ConfigDict(extra="forbid")

    conversation_id: UUID | None = None
    project_id: UUID | None = None
    persona_code: str | None = Field(default=None, max_length=40)
    persona_codes: list[str] = Field(default_factory=list, max_length=32)
    message: str = Field(max_length=MAX_MESSAGE * 2)
    mentions: list[str] = Field(default_factory=list, max_length=32)
    panel: StrictBool = False
    shared: StrictBool = False


class ConversationPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=1, max_length=200)
    shared: StrictBool | None = None


class MessageOut(BaseModel):
    id: UUID
    conversation_id: UUID
    role: str
    persona_code: str | None
    author_id: UUID | None
    content: str
    citations: list[dict[str, Any]]
    engine: str | None
    model: str | None
    usage: dict[str, Any]
    latency_ms: int | None
    created_at: dt.datetime


class ConversationOut(BaseModel):
    id: UUID
    project_id: UUID
    author_id: UUID | None
    title: str
    persona_codes: list[str]
    shared: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    messages: int = 0


class ConversationDetail(ConversationOut):
    items: list[MessageOut] = Field(default_factory=list)
    # The project stream's position this answer is current at (read before the messages): a
    # page opens the stream from here and `chat:message_added` closes the gap exactly.
    last_seq: int = 0


class ConversationList(BaseModel):
    items: list[ConversationOut]


class ContentItem(BaseModel):
    content: str
    quote: str
    relevance: float = Field(ge=0.0, le=1.0)
    interview_id: UUID
    line_ids: list[int]


class Subtopic(BaseModel):
    title: str
    content_items: list[ContentItem]


class Topic(BaseModel):
    id: str
    title: str
    subtopics: list[Subtopic]


class MindMap(BaseModel):
    """The original product's chat summary structure, every quote traceable to its lines."""

    title: str
    summary: str
    root_node: str
    main_topics: list[Topic]


class BudgetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Strict: JSON `true` is not a budget of one token.
    monthly_tokens: StrictInt | None = Field(default=None, ge=0, le=10**12)


class BudgetOut(BaseModel):
    monthly_tokens: int | None
    used_this_month: int
