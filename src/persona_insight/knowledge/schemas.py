"""Knowledge document bodies."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from pydantic import BaseModel, Field


class DocumentOut(BaseModel):
    id: UUID
    project_id: UUID | None = Field(description="Null: the company's knowledge base.")
    project_name: str | None
    title: str
    filename: str
    kind: str = Field(description="The file type read (txt, pdf, docx, hwp, …).")
    chars: int
    chunks: int
    created_at: dt.datetime


class ChunkOut(BaseModel):
    chunk: int = Field(description="Its number: the anchor `#chunk-<n>` citations link to.")
    text: str


class DocumentDetail(DocumentOut):
    chunk_texts: list[ChunkOut]
