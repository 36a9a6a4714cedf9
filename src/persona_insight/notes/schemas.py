"""Note request and response bodies."""

from __future__ import annotations

import datetime as dt
from typing import Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator

MAX_TEXT = 2000
MAX_LINES = 500


class NoteAuthor(BaseModel):
    id: UUID
    name: str


class NoteOut(BaseModel):
    """A note as the list shows it and as every `note:*` event carries it."""

    id: UUID
    interview_id: UUID
    parent_id: UUID | None = Field(description="The note this one replies to; null for a thread.")
    line_ids: list[int] = Field(description="Script line ids (`cleaned_script[].id`) it is on.")
    text: str
    author: NoteAuthor | None = Field(description="Null once the author's account is gone.")
    created_at: dt.datetime
    updated_at: dt.datetime


class NoteList(BaseModel):
    items: list[NoteOut] = Field(description="Oldest first; replies carry `parent_id`.")
    last_seq: int = Field(
        description="The project's last event seq, read before the items (connect the event "
        "stream from it, as for the interview list)."
    )


class NoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(
        max_length=MAX_TEXT * 4,
        description=f"1 to {MAX_TEXT} characters once surrounding white space is removed.",
    )
    line_ids: list[StrictInt] | None = Field(
        default=None,
        max_length=MAX_LINES,
        description="Required for a new thread; a reply is on its parent's lines.",
    )
    parent_id: UUID | None = Field(default=None, description="Reply to this note.")

    @model_validator(mode="after")
    def _one_shape(self) -> Self:
        # A reply is on its parent's lines: lines given with it were dropped in silence.
        if self.parent_id is not None and self.line_ids:
            raise ValueError("a reply is on its parent's lines: give parent_id or line_ids")
        return self


class NotePatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=MAX_TEXT * 4, description=f"1 to {MAX_TEXT} characters.")
