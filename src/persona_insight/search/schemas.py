"""Search, answer and saved-search request and response bodies."""

from __future__ import annotations

import datetime as dt
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from persona_insight.texts import Visible

MAX_QUERY = 1000
Role = Literal["interviewee", "interviewer", "any"]
Mode = Literal["hybrid", "keyword", "meaning"]
Kind = Literal["line", "finding", "note", "theme", "document"]
KINDS: tuple[Kind, ...] = ("line", "finding", "note", "theme", "document")


class SearchParams(BaseModel):
    """What `GET /api/search` takes (query parameters), once read."""

    q: str
    project_ids: list[UUID] = Field(default_factory=list)
    interview_id: UUID | None = None
    role: Role = "interviewee"
    persona: str | None = None
    language: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    mode: Mode = "hybrid"
    limit: int = 20
    kinds: list[Kind] = Field(default_factory=lambda: list(KINDS))


class LineOut(BaseModel):
    line_id: int = Field(description="The line's first id: its anchor (`#line-<id>`).")
    line_ids: list[int]
    speaker: str = Field(description="`answer` (interviewee) or `question` (interviewer).")
    speaker_name: str | None
    text: str
    start_ms: int | None
    hit: bool = Field(description="True for the matching line; false for its neighbours.")
    highlights: list[tuple[int, int]] = Field(
        default_factory=list, description="[start, end) character spans of `text` that match."
    )


class HitOut(BaseModel):
    line_id: int
    score: float = Field(description="Reciprocal-rank-fusion score (higher is better).")
    keyword_rank: int | None = Field(description="1-based rank by keywords; null: no match.")
    meaning_rank: int | None = Field(description="1-based rank by meaning; null: not near.")
    lines: list[LineOut] = Field(description="The line and its neighbours, in script order.")


class InterviewRef(BaseModel):
    id: UUID
    title: str
    project_id: UUID
    project_name: str
    interview_date: dt.date | None
    persona_code: str | None
    language: str | None


class GroupOut(BaseModel):
    interview: InterviewRef
    hits: list[HitOut]


class ItemOut(BaseModel):
    """A finding, note, theme or knowledge-document chunk that matches."""

    kind: Literal["finding", "note", "theme", "document"]
    id: UUID = Field(description="The finding's interview, the note, theme or document.")
    ref: str = Field(description="`pain:<i>`/`need:<i>` of a finding; a document's chunk number.")
    text: str
    title: str = Field(description="The interview's or document's title; a theme's kind.")
    project_id: UUID | None
    interview_id: UUID | None
    line_ids: list[int] = Field(description="The lines a note is attached to.")
    url: str = Field(description="Where it is shown.")
    score: float


class SearchOut(BaseModel):
    q: str
    mode: Mode = Field(description="What ranked: `keyword` when meaning search is unavailable.")
    total_hits: int
    groups: list[GroupOut] = Field(description="By interview, in the order of their best hit.")
    items: list[ItemOut] = Field(
        default_factory=list, description="Findings, notes, themes and document chunks, best first."
    )
    expanded: list[str] = Field(
        default_factory=list, description="Synonyms from the company glossary also searched for."
    )


class SavedSearchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Visible = Field(min_length=1, max_length=200)
    q: str = Field(min_length=1, max_length=MAX_QUERY)
    project_ids: list[UUID] = Field(default_factory=list, max_length=50)
    role: Role = "interviewee"


class SavedSearchOut(BaseModel):
    id: UUID
    name: str
    q: str
    project_ids: list[UUID]
    role: Role
    created_at: dt.datetime


MAX_PASSAGE_LINES = 50


class _Question(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(
        max_length=MAX_QUERY * 4, description="1 to 1,000 characters, Korean or English."
    )


class AskIn(_Question):
    interview_id: UUID | None = Field(
        default=None,
        description='Ask about this interview of the project only ("ask about this passage").',
    )
    line_ids: list[StrictInt] = Field(
        default_factory=list,
        max_length=MAX_PASSAGE_LINES,
        description="The passage: script line ids of `interview_id` the answer is about "
        "(`cleaned_script[].id`); empty: the whole interview.",
    )


class CompanyAskIn(_Question):
    project_ids: list[UUID] = Field(
        default_factory=list,
        max_length=50,
        description="Narrow to these projects; empty: every project the caller can read.",
    )


class AnswerOut(BaseModel):
    id: UUID
    project_id: UUID | None
    user_id: UUID | None
    question: str
    answer: str
    citations: list[dict[str, object]] = Field(
        description="As the stream's `citation` events carried them."
    )
    engine: str
    usage: dict[str, object]
    created_at: dt.datetime
    interview_id: UUID | None = Field(
        default=None, description="The interview a passage answer is about."
    )
    line_ids: list[int] = Field(
        default_factory=list, description="The passage's line ids (empty: not a passage)."
    )
    note_id: UUID | None = Field(default=None, description="The note it was saved as, if any.")
