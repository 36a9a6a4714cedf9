"""Interview request and response bodies."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from persona_insight.analysis.contract import InterviewAnalysis
from persona_insight.interviews.states import Status
from persona_insight.interviews.titles import DateSource, TitleSource


class FileInfo(BaseModel):
    name: str
    media_type: str
    size: int
    sha256: str
    encoding: str | None = None


class InterviewError(BaseModel):
    code: str
    message: str
    retryable: bool
    engine: str | None = None


class InterviewOut(BaseModel):
    """An interview as lists show it and as every `interview:*` event carries it."""

    id: UUID
    project_id: UUID
    title: str
    title_source: TitleSource = Field(
        description="user (typed; never replaced), file or text (a placeholder from the file "
        "name or the text's first line), derived (participant · topic, from the analysis)."
    )
    interview_date: dt.date | None
    interview_date_source: DateSource | None = Field(
        description="Where the date came from: user, transcript (written in its header), "
        "document (the file's metadata), file (its last-modified time), upload."
    )
    status: Status
    source: Literal["file", "text", "media"]
    file: FileInfo | None
    language: str | None
    attempts: int
    error: InterviewError | None
    engine: str | None
    pain_point_count: int | None
    need_count: int | None
    persona_code: str | None
    created_by: UUID | None
    created_at: dt.datetime
    updated_at: dt.datetime
    status_changed_at: dt.datetime
    completed_at: dt.datetime | None
    deleted_at: dt.datetime | None
    deleted_by: UUID | None


class AnalysisOut(BaseModel):
    engine: str
    model: str | None
    result: InterviewAnalysis
    repairs: list[dict[str, Any]]
    usage: dict[str, Any]
    duration_ms: int
    created_at: dt.datetime


class InterviewDetail(InterviewOut):
    text: str = Field(description="The transcript as extracted from the upload.")
    analysis: AnalysisOut | None


class InterviewPage(BaseModel):
    items: list[InterviewOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")
    last_seq: int = Field(
        description="The project's last event seq, read before the items: connect the event "
        "stream with this as Last-Event-ID and the list plus the events is always current."
    )


class TextUpload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    project_id: UUID
    text: str = Field(max_length=10_000_000)
    title: str | None = Field(default=None, max_length=300)
    interview_date: dt.date | None = None


class UploadAccepted(BaseModel):
    interview_id: UUID
    interview: InterviewOut


class InterviewPatch(BaseModel):
    """Title and date; and the persona, as `PATCH /api/interviews/{id}/persona` takes it
    (`persona_code`, null for "no persona fits", or `axes`, with an optional `reason`)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str | None = Field(default=None, min_length=1, max_length=300)
    interview_date: dt.date | None = None
    persona_code: str | None = Field(default=None, max_length=40)
    axes: dict[UUID, UUID | None] | None = Field(default=None, max_length=6)
    reason: str | None = Field(default=None, max_length=1000)

    PERSONA_FIELDS: ClassVar[frozenset[str]] = frozenset({"persona_code", "axes", "reason"})


SpeakerRole = Literal["interviewer", "interviewee"]


class SpeakerRolesPatch(BaseModel):
    """A researcher's fix of who interviews: speaker (as the analysis names them) → role.
    Speakers left out keep the role the analysis gave them."""

    model_config = ConfigDict(extra="forbid")

    roles: dict[Annotated[str, Field(min_length=1, max_length=100)], SpeakerRole] = Field(
        min_length=1, max_length=50
    )


class ProcessRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    interview_id: UUID
