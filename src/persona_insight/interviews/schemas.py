"""Interview request and response bodies."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar, Literal
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from persona_insight.analysis.contract import InterviewAnalysis
from persona_insight.interviews.states import Status
from persona_insight.interviews.titles import DateSource, TitleSource

# An interview's title, however it is given (JSON, a form field, an edit).
MAX_TITLE = 300


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


class SpeechInfo(BaseModel):
    engine: str
    duration_ms: int
    speakers: int = Field(description="Voices told apart (1 when they could not be).")
    speaker_confidence: float = Field(
        description="How well the voices separate, 0–1 (the grouping's silhouette; 0 for one "
        "voice). Below 0.25 similar voices may be mixed up."
    )


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
    speech: SpeechInfo | None = Field(
        description="A recording's transcription (null for text): how many voices were told "
        "apart and how sure that grouping is."
    )
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
    title: str | None = Field(default=None, max_length=MAX_TITLE)
    interview_date: dt.date | None = None


class UploadAccepted(BaseModel):
    interview_id: UUID
    interview: InterviewOut


class InterviewPatch(BaseModel):
    """Title and date; and the persona, as `PATCH /api/interviews/{id}/persona` takes it
    (`persona_code`, null for "no persona fits", or `axes`, with an optional `reason`)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str | None = Field(default=None, min_length=1, max_length=MAX_TITLE)
    interview_date: dt.date | None = None
    persona_code: str | None = Field(default=None, max_length=40)
    axes: dict[UUID, UUID | None] | None = Field(default=None, max_length=6)
    reason: str | None = Field(default=None, max_length=1000)

    PERSONA_FIELDS: ClassVar[frozenset[str]] = frozenset({"persona_code", "axes", "reason"})


SpeakerRole = Literal["interviewer", "interviewee"]


SpeakerKey = Annotated[str, Field(min_length=1, max_length=100)]


def _speaker_name(value: str) -> str:
    value = " ".join(value.split())
    if not value or len(value) > 60:
        raise ValueError("a speaker's name has 1 to 60 characters")
    if any(c in value for c in ":[]") or not value.isprintable():
        raise ValueError("a speaker's name cannot contain ':', '[' or ']'")
    return value


SpeakerName = Annotated[str, AfterValidator(_speaker_name)]


class SpeakerRolesPatch(BaseModel):
    """A researcher's fix of the speakers, each named as the interview names them now: who
    interviews (`roles`), and for a recording the names of its detected speakers (`names`,
    "Speaker 1" → "김민지"). Speakers left out keep their role and name."""

    model_config = ConfigDict(extra="forbid")

    roles: dict[SpeakerKey, SpeakerRole] = Field(default_factory=dict, max_length=50)
    names: dict[SpeakerKey, SpeakerName] = Field(default_factory=dict, max_length=50)

    @model_validator(mode="after")
    def _something(self) -> SpeakerRolesPatch:
        if not self.roles and not self.names:
            raise ValueError("give the speakers' roles or names")
        return self


class ProcessRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    interview_id: UUID
