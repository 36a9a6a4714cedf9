"""What the model is asked to return: small, bounded, and free of anything we can compute.

The model never rewrites the whole script (that is where ids get lost and tokens get spent): it
returns notes for the lines worth noting, findings that cite line ids, and the interview-level
judgements. `assemble.py` builds the full `InterviewAnalysis` from these and the transcript.

Every array and string carries a bound (`maxItems`, `maxLength`) in the JSON schema sent to the
model, so the answer is bounded and a constrained decoder (llama.cpp) always terminates. The
line-id fields are published with an `enum` of the chunk's real ids (`output_types_for`), so
constrained decoders can only cite lines that exist; validation still accepts any int and the
engine repairs the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema, create_model

Category = Literal["painpoint", "needs"]
Sentiment = Literal["positive", "neutral", "negative"]

MAX_LINE_NOTES = 80
MAX_FINDINGS = 8
MAX_EVIDENCE = 6

_T = TypeVar("_T")


# Bounds are published in the schema but enforced by cutting, not by rejecting: a model that
# writes 310 characters where 300 were asked for has still answered, and a retry would cost a
# whole second answer.
def _cut(limit: int) -> Callable[[str], str]:
    def cut(value: str) -> str:
        return value if len(value) <= limit else value[:limit]

    return cut


def _first(limit: int) -> Callable[[list[_T]], list[_T]]:
    def first(value: list[_T]) -> list[_T]:
        return value[:limit]

    return first


def _clamp(low: float, high: float) -> Callable[[float], float]:
    def clamp(value: float) -> float:
        return min(max(value, low), high)

    return clamp


def _cut_to(limit: int) -> Any:
    return AfterValidator(_cut(limit))


def _first_to(limit: int) -> Any:
    return AfterValidator(_first(limit))


def _string(limit: int) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "maxLength": limit})


def _items(limit: int, min_items: int = 0) -> Any:
    bounds: dict[str, Any] = {"maxItems": limit}
    if min_items:
        bounds["minItems"] = min_items
    return Field(json_schema_extra=bounds)


Text8 = Annotated[str, _cut_to(8), _string(8)]
Text40 = Annotated[str, _cut_to(40), _string(40)]
Text80 = Annotated[str, _cut_to(80), _string(80)]
Text160 = Annotated[str, _cut_to(160), _string(160)]
Text200 = Annotated[str, _cut_to(200), _string(200)]
Text300 = Annotated[str, _cut_to(300), _string(300)]
Text500 = Annotated[str, _cut_to(500), _string(500)]
Text600 = Annotated[str, _cut_to(600), _string(600)]
Text700 = Annotated[str, _cut_to(700), _string(700)]
Text1200 = Annotated[str, _cut_to(1200), _string(1200)]
Score = Annotated[
    int, AfterValidator(_clamp(1, 5)), Field(json_schema_extra={"minimum": 1, "maximum": 5})
]
Confidence = Annotated[
    float, AfterValidator(_clamp(0.0, 1.0)), Field(json_schema_extra={"minimum": 0, "maximum": 1})
]


class _Out(BaseModel):
    model_config = ConfigDict(extra="ignore")


class LineNote(_Out):
    """A transcript line worth marking. Skip lines with nothing to add."""

    id: int = Field(description="The [id] of the transcript line.")
    category: Category | None = Field(
        default=None, description="painpoint or needs when the line voices one, else null."
    )
    sentiment: Sentiment | None = Field(default=None, description="Only when clearly felt.")
    cleaned: Text600 | None = Field(
        default=None,
        description="The line without fillers, false starts and transcription noise; "
        "null when it needs no cleaning.",
    )


Evidence = Annotated[list[int], _first_to(MAX_EVIDENCE), _items(MAX_EVIDENCE, 1)]


class FindingOut(_Out):
    description: Text300 = Field(description="One sentence, in the interview's words.")
    evidence: Evidence = Field(description="Line ids that show it.")


class SectionOut(_Out):
    name: Text80 = Field(description="Reuse an existing section name when it fits.")
    start_line: int
    end_line: int
    main: bool = Field(default=True, description="False for small talk, consent, wrap-up.")


class ProfileOut(_Out):
    summary: Text500 = Field(default="", description="Who the interviewee is; no names.")
    age_group: Text40 | None = None
    gender: Text40 | None = None
    occupation: Text160 | None = None


class QualityOut(_Out):
    score: Score = Field(description="1 = unusable, 5 = rich and specific.")
    assessment: Text300 = ""


class PersonaOut(_Out):
    code: Text40 | None = Field(default=None, description="A persona code, or null.")
    explanation: Text300 = ""
    confidence: Confidence = 0.5


class ChunkAnalysis(_Out):
    """The analysis of one stretch of an interview transcript."""

    language: Text8 = Field(description="BCP 47 code of the interview: ko, en…")
    topic: Text160 = Field(default="", description="The interview topic.")
    session_date: Text40 | None = Field(
        default=None, description="Only when the transcript states it."
    )
    summary: Text700 = Field(default="", description="Three to five sentences.")
    lines: Annotated[list[LineNote], _first_to(MAX_LINE_NOTES), _items(MAX_LINE_NOTES)] = Field(
        default_factory=list
    )
    pain_points: Annotated[list[FindingOut], _first_to(MAX_FINDINGS), _items(MAX_FINDINGS)] = Field(
        default_factory=list
    )
    needs: Annotated[list[FindingOut], _first_to(MAX_FINDINGS), _items(MAX_FINDINGS)] = Field(
        default_factory=list
    )
    takeaways: Annotated[list[Text200], _first_to(6), _items(6)] = Field(default_factory=list)
    hmw_questions: Annotated[list[Text200], _first_to(5), _items(5)] = Field(
        default_factory=list, description="'How might we …' questions."
    )
    sections: Annotated[list[SectionOut], _first_to(10), _items(10)] = Field(default_factory=list)
    keywords: Annotated[list[Text40], _first_to(12), _items(12)] = Field(
        default_factory=list, description="Most important first."
    )
    profile: ProfileOut = Field(default_factory=ProfileOut)
    quality: QualityOut
    persona: PersonaOut | None = None


class Synthesis(_Out):
    """The interview as a whole, written from the notes on each of its parts."""

    language: Text8
    topic: Text160 = ""
    session_date: Text40 | None = None
    summary: Text1200 = ""
    takeaways: Annotated[list[Text200], _first_to(10), _items(10)] = Field(default_factory=list)
    hmw_questions: Annotated[list[Text200], _first_to(8), _items(8)] = Field(default_factory=list)
    profile: ProfileOut = Field(default_factory=ProfileOut)
    quality: QualityOut
    persona: PersonaOut | None = None


def _capped(item: Any, limit: int, min_items: int = 0) -> Any:
    return Annotated[list[item], _first_to(limit), _items(limit, min_items)]


def _id_type(ids: Sequence[int]) -> Any:
    return Annotated[int, WithJsonSchema({"type": "integer", "enum": sorted(set(ids))})]


def _code_type(codes: Sequence[str]) -> Any:
    return Annotated[
        str | None,
        WithJsonSchema({"anyOf": [{"type": "string", "enum": list(codes)}, {"type": "null"}]}),
    ]


def output_types_for(ids: Sequence[int], persona_codes: Sequence[str]) -> type[ChunkAnalysis]:
    """`ChunkAnalysis` whose schema offers only the chunk's line ids and the personas' codes."""
    line_id = _id_type(ids)
    note = create_model(
        "LineNote",
        __base__=LineNote,
        __doc__=LineNote.__doc__,
        id=(line_id, Field(description="The [id] of the transcript line.")),
    )
    finding = create_model(
        "Finding",
        __base__=FindingOut,
        evidence=(
            _capped(line_id, MAX_EVIDENCE, 1),
            Field(description="Line ids that show it."),
        ),
    )
    section = create_model(
        "Section", __base__=SectionOut, start_line=(line_id, ...), end_line=(line_id, ...)
    )
    fields: dict[str, Any] = {
        "lines": (_capped(note, MAX_LINE_NOTES), Field(default_factory=list)),
        "pain_points": (_capped(finding, MAX_FINDINGS), Field(default_factory=list)),
        "needs": (_capped(finding, MAX_FINDINGS), Field(default_factory=list)),
        "sections": (_capped(section, 10), Field(default_factory=list)),
    }
    fields["persona"] = _persona_field(persona_codes)
    return create_model(
        "InterviewChunkAnalysis", __base__=ChunkAnalysis, __doc__=ChunkAnalysis.__doc__, **fields
    )


def synthesis_type_for(persona_codes: Sequence[str]) -> type[Synthesis]:
    return create_model(
        "InterviewSynthesis",
        __base__=Synthesis,
        __doc__=Synthesis.__doc__,
        persona=_persona_field(persona_codes),
    )


def _persona_field(persona_codes: Sequence[str]) -> tuple[Any, Any]:
    if not persona_codes:
        # With no personas the schema offers only null, so no code gets invented; whatever a
        # model sends anyway is accepted and ignored rather than costing a retry.
        return (Annotated[Any, WithJsonSchema({"type": "null"})], None)
    persona: Any = create_model(
        "Persona",
        __base__=PersonaOut,
        code=(_code_type(persona_codes), Field(default=None, description="Best persona code.")),
    )
    return (persona | None, None)
