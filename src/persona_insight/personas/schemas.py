"""Request and response bodies of the persona routes."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from persona_insight.texts import Visible

# Empty names are the framework rules' to refuse (axis_name_empty, type_name_empty), which say
# which rule; a length check here answered the form with a message about lengths.
_Name = Field(max_length=100)


class TypeIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: UUID | None = Field(default=None, description="Keep this existing type (and its uses).")
    name: str = _Name
    description: str = Field(default="", max_length=2000)


class AxisIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: UUID | None = Field(default=None, description="Keep this existing axis.")
    name: str = _Name
    description: str = Field(default="", max_length=2000)
    # Bounded by the framework rules (422 with the rule); the cap here only stops huge bodies.
    types: list[TypeIn] = Field(max_length=100)


class FrameworkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    axes: list[AxisIn] = Field(max_length=50)
    confirm: StrictBool = Field(
        default=False,
        description="Remove types that interviews use: their interviews lose that persona.",
    )


class TypeOut(BaseModel):
    id: UUID
    name: str
    description: str


class AxisOut(BaseModel):
    id: UUID
    name: str
    description: str
    types: list[TypeOut]


class PersonaOut(BaseModel):
    id: UUID
    code: str
    title: str
    description: str
    enabled: bool
    type_ids: list[UUID]
    traits: list[str] = Field(description="The type names, in axis order.")
    has_picture: bool
    picture_url: str
    created_at: dt.datetime


class FrameworkOut(BaseModel):
    axes: list[AxisOut]
    personas: list[PersonaOut]
    # After an edit: interviews whose persona no longer exists (they are now without one).
    lost_interviews: list[UUID] = Field(default_factory=list)


class PersonaPatch(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Visible | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    enabled: StrictBool | None = None


class FocusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    persona_ids: list[UUID] = Field(max_length=64)


class FocusOut(BaseModel):
    persona_ids: list[UUID]


class PlacementOut(BaseModel):
    axis_id: UUID
    type_id: UUID | None = Field(description="None: unclear on this axis.")
    confidence: float
    line_ids: list[int]
    source: str
    reason: str | None


class PlacementList(BaseModel):
    persona_code: str | None
    manual_persona: bool = Field(description="A researcher chose the persona.")
    items: list[PlacementOut]


class PersonaAssignment(BaseModel):
    """Where a researcher puts an interview: a persona code (None: no persona fits) or types
    on axes. Either one."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    persona_code: str | None = Field(default=None, max_length=40)
    axes: dict[UUID, UUID | None] | None = Field(default=None, max_length=6)
    reason: str | None = Field(default=None, max_length=1000)


class RematchOut(BaseModel):
    queued: bool = Field(description="False: a re-match of this project was already waiting.")


class ProfileVersion(BaseModel):
    version: int
    created_at: dt.datetime
    engine: str
    interview_ids: list[UUID]
    sections: dict[str, list[dict[str, Any]]] = Field(
        description="summary, context, behaviours, pain_points, needs, quote, style: each a list"
        " of {text, citations: [{interview_id, line_ids}]}; every statement cites lines."
    )
    repairs: list[dict[str, Any]] = Field(
        description="What validation removed: dropped citations and uncited statements."
    )


class ProfileOut(BaseModel):
    persona_id: UUID
    code: str
    stale: bool = Field(description="Its interviews changed since the newest version.")
    profile: ProfileVersion | None
    versions: list[int] = Field(description="Every version kept, newest first.")


class SynthesisQueued(BaseModel):
    queued: bool


class FitIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    question: str = Field(min_length=1, max_length=2000)


class FitExplainIn(BaseModel):
    """An explained fit is an ask: its question is checked as ask's (`empty_question`,
    `question_too_long` beyond 1,000 characters); the cap here only stops huge bodies."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(max_length=4000)


class FitQuote(BaseModel):
    interview_id: UUID
    line_id: int
    text: str
    similarity: float


class FitItem(BaseModel):
    persona_id: UUID
    code: str
    title: str
    traits: list[str]
    score: float = Field(description="Cosine similarity of the question to the persona (e5).")
    interviews: int = Field(description="The persona's interviews in the project.")
    quotes: list[FitQuote] = Field(
        description="Its interviews' lines closest to the question (empty without pgvector)."
    )


class FitList(BaseModel):
    items: list[FitItem] = Field(description="Best fit first.")


class NearestPersona(BaseModel):
    code: str
    title: str
    similarity: float = Field(description="e5 similarity of the cluster's centre to the persona.")
    share: float = Field(description="Share of the suggestion's interviews already on it.")


class SuggestionOut(BaseModel):
    name: str = Field(description="A proposed name: its most distinctive trait, shortened.")
    interview_ids: list[UUID]
    traits: list[dict[str, Any]] = Field(
        description="What sets the group apart, most distinctive first: {text, citations}."
    )
    quotes: list[dict[str, Any]] = Field(description="Verbatim lines of its interviews, cited.")
    cohesion: float = Field(description="Mean similarity of its interviews to its centre.")
    nearest: NearestPersona | None = Field(
        description="The existing persona closest to it (none without a framework)."
    )
    differs_by: list[dict[str, Any]] = Field(
        description="Its traits least like the nearest persona: what it would add."
    )


class DiscoveryOut(BaseModel):
    status: str = Field(description="ok, or too_thin: fewer interviews than min_interviews.")
    interviews: int = Field(description="Analysed interviews clustered.")
    unindexed: int = Field(
        description="Analysed interviews left out: their vectors are not stored yet."
    )
    min_interviews: int
    sampled: bool = Field(description="More interviews than can be clustered: the newest were.")
    clusters: int
    silhouette: float | None = Field(description="-1..1; above ~0.25 the groups are real.")
    stability: float | None = Field(
        description="Mean adjusted Rand index of re-clustering 80 % resamples (1: stable)."
    )
    suggestions: list[SuggestionOut]
    outliers: list[UUID] = Field(description="Interviews in no group of two or more.")
    repairs: list[dict[str, Any]] = Field(description="Citations validation removed.")


class AdoptIn(BaseModel):
    """A suggestion taken into the framework as a new type (and so new persona combinations)."""

    model_config = ConfigDict(extra="forbid")
    axis_id: UUID | None = Field(
        default=None,
        description="The axis to add the type to; omitted: the only axis (or a new one).",
    )
    name: str = _Name
    description: str = Field(default="", max_length=2000)
