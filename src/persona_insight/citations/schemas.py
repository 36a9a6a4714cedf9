"""Citation types and what resolving them yields."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


class Citation(BaseModel):
    """Lines of one interview, by the source line ids its cleaned script lines carry (the ids
    evidence uses)."""

    model_config = ConfigDict(frozen=True)

    interview_id: UUID
    line_ids: tuple[int, ...] = Field(min_length=1, max_length=50)


class DocumentCitation(BaseModel):
    """One chunk of a knowledge document."""

    model_config = ConfigDict(frozen=True)

    document_id: UUID
    chunk: int = Field(ge=0)


AnyCitation = Citation | DocumentCitation


class Statement(BaseModel):
    """One generated sentence and what it rests on."""

    text: str = Field(min_length=1, max_length=4000)
    citations: list[AnyCitation] = Field(default_factory=list, max_length=20)


@dataclass(frozen=True, slots=True)
class ResolvedLine:
    id: int
    text: str
    speaker: str
    speaker_name: str | None = None
    start_ms: int | None = None
    end_ms: int | None = None


@dataclass(slots=True)
class CitationCheck:
    """What the cited interviews and documents hold, as the reader may see them: script lines
    by source id per live interview, and chunk texts per document."""

    lines: dict[UUID, dict[int, ResolvedLine]] = field(default_factory=dict)
    titles: dict[UUID, str] = field(default_factory=dict)
    chunks: dict[tuple[UUID, int], str] = field(default_factory=dict)
    document_titles: dict[UUID, str] = field(default_factory=dict)

    def lines_of(self, citation: Citation) -> list[ResolvedLine]:
        """The distinct script lines a citation names that exist, in script order."""
        script = self.lines.get(citation.interview_id, {})
        seen: dict[int, ResolvedLine] = {}
        for line_id in citation.line_ids:
            line = script.get(line_id)
            if line is not None:
                seen.setdefault(line.id, line)
        return sorted(seen.values(), key=lambda line: line.id)
