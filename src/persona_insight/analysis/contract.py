"""The analysis of one interview, as every engine must return it.

Field names follow the original product's stored result (see reference/original-product.md) so
exports and integrations stay recognisable; `summary`, `keywords`, per-line `sentiment`, `language`
and `persona_match.confidence` are ours. Arrays are bounded so that an LLM's structured-output
schema is bounded too.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Speaker = Literal["question", "answer"]
Category = Literal["painpoint", "needs"]
Sentiment = Literal["positive", "neutral", "negative"]

ShortText = Annotated[str, Field(max_length=2000)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ScriptLine(_Model):
    """A cleaned line of the transcript. `id` lists the source line ids it was made from."""

    id: list[int] = Field(min_length=1, max_length=20)
    speaker: Speaker
    category: Category | None = None
    cleaned_sentence: str = Field(max_length=8000)
    sentiment: Sentiment | None = None
    # The speaker as the transcript names them (None when it names no one), and where the line
    # starts and ends in the recording, when the transcript or the audio says.
    speaker_name: str | None = Field(default=None, max_length=100)
    start_ms: int | None = Field(default=None, ge=0)
    end_ms: int | None = Field(default=None, ge=0)


class SessionInfo(_Model):
    session_date: str | None = None
    interview_topic: ShortText = ""


class Demographics(_Model):
    age_group: str | None = Field(default=None, max_length=100)
    gender: str | None = Field(default=None, max_length=100)
    occupation_context: str | None = Field(default=None, max_length=300)


class IntervieweeProfile(_Model):
    profile_summary: ShortText = ""
    demographics: Demographics = Field(default_factory=Demographics)


class OverallQuality(_Model):
    score: int = Field(ge=1, le=5)
    assessment: ShortText = ""


class QualityAssessment(_Model):
    overall_quality: OverallQuality


class Finding(_Model):
    """A pain point or a need, with the script line ids that show it. `confidence` is the
    engine's calibrated probability that the finding is real (None when it gives none)."""

    description: ShortText
    evidence: list[int] = Field(default_factory=list, max_length=30)
    confidence: float | None = Field(default=None, ge=0.0, le=1.0)


class ScriptSection(_Model):
    sector_name: str = Field(max_length=200)
    start_line: int
    end_line: int
    is_main_content: bool = True


# Below this confidence no persona fits: the match is kept with a null code (and the
# interview's persona stays empty) rather than forcing the nearest persona on the interview.
PERSONA_MIN_CONFIDENCE = 0.45


class PersonaMatch(_Model):
    """`code` None means no company persona fits (or the company has none to match)."""

    code: str | None = Field(default=None, max_length=40)
    explanation: ShortText = ""
    confidence: float = Field(default=0.0, ge=0.0, le=1.0)


class Keyword(_Model):
    term: str = Field(max_length=100)
    weight: float = Field(ge=0.0)


class InterviewAnalysis(_Model):
    language: str = Field(default="und", max_length=8, description="BCP 47: ko, en, mixed…")
    cleaned_script: list[ScriptLine] = Field(max_length=5000)
    session_info: SessionInfo = Field(default_factory=SessionInfo)
    interviewee_profile: IntervieweeProfile = Field(default_factory=IntervieweeProfile)
    interview_quality_assessment: QualityAssessment
    key_takeaways: list[ShortText] = Field(default_factory=list, max_length=20)
    primary_pain_points: list[Finding] = Field(default_factory=list, max_length=30)
    primary_needs: list[Finding] = Field(default_factory=list, max_length=30)
    hmw_questions: list[ShortText] = Field(default_factory=list, max_length=20)
    script_sections: list[ScriptSection] = Field(default_factory=list, max_length=50)
    persona_match: PersonaMatch | None = None
    summary: str = Field(default="", max_length=4000)
    keywords: list[Keyword] = Field(default_factory=list, max_length=50)
    # Who interviews: each named speaker's role, how sure the split is (0 = unknown) and what
    # decided it (fixed by a researcher, labels, evidence, per line, unknown); and what cleaning
    # took out of the text, by kind. Filled from the transcript, whatever the engine.
    roles: dict[str, Speaker] = Field(default_factory=dict, max_length=50)
    role_confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    role_source: str = Field(default="unknown", max_length=20)
    transcript_cleaning: dict[str, int] = Field(default_factory=dict, max_length=20)

    def line_ids(self) -> set[int]:
        return {i for line in self.cleaned_script for i in line.id}
