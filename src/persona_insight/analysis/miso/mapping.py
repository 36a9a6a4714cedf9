"""Workflow outputs → the analysis contract.

Workflows built on the platform return their result in many shapes: the contract's fields
directly in `outputs`, or one JSON string (often in a ```json fence, sometimes with prose around
it) under a key like `result`, `output` or `text`, with nested fields that are JSON strings
themselves. Field names follow the original product (`cleaned_script` lines `{id: [int], speaker,
category, cleaned_sentence}`, `ai_persona_match`). This module accepts those shapes, coerces the
loose values LLM workflows produce ("4/5", "P3 - reason", "1, 2"), and clips everything to the
contract's bounds. A result it cannot read at all is `analysis_invalid_output`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from persona_insight.analysis.contract import (
    Category,
    Demographics,
    Finding,
    InterviewAnalysis,
    IntervieweeProfile,
    Keyword,
    OverallQuality,
    PersonaMatch,
    QualityAssessment,
    ScriptLine,
    ScriptSection,
    SessionInfo,
    Speaker,
)
from persona_insight.analysis.engine import AnalysisContext, EngineError
from persona_insight.analysis.transcript import Transcript

CONTRACT_KEYS = frozenset(
    {
        "cleaned_script",
        "session_info",
        "interviewee_profile",
        "interview_quality_assessment",
        "key_takeaways",
        "primary_pain_points",
        "primary_needs",
        "hmw_questions",
        "script_sections",
        "ai_persona_match",
        "persona_match",
        "summary",
        "keywords",
    }
)
WRAPPER_KEYS = (
    "result",
    "output",
    "outputs",
    "text",
    "answer",
    "json",
    "analysis",
    "data",
    "response",
    "content",
)

_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.DOTALL)
_INT = re.compile(r"-?\d+")


def _invalid(message: str) -> EngineError:
    return EngineError("analysis_invalid_output", message, retryable=False)


def parse_json_text(text: str) -> Any:
    """JSON from a model's text: bare, fenced, or the outermost object/array inside prose."""
    text = text.strip()
    candidates = [text, *(m.strip() for m in _FENCE.findall(text))]
    for opener, closer in (("{", "}"), ("[", "]")):
        start, end = text.find(opener), text.rfind(closer)
        if 0 <= start < end:
            candidates.append(text[start : end + 1])
    for candidate in candidates:
        try:
            return json.loads(candidate)
        except ValueError:
            continue
    raise ValueError("no JSON found")


def _maybe_json(value: Any) -> Any:
    """Nested fields often arrive as JSON strings; decode them when they look like JSON."""
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith(("{", "[", "```")):
            try:
                return parse_json_text(stripped)
            except ValueError:
                return value
    return value


def find_result(outputs: Mapping[str, Any], text: str = "") -> dict[str, Any]:
    """The mapping that holds the contract fields, wherever the workflow put it."""
    seen: list[Any] = [outputs]
    while seen:
        current = seen.pop(0)
        if isinstance(current, str):
            try:
                current = parse_json_text(current)
            except ValueError:
                continue
        if isinstance(current, Mapping):
            if CONTRACT_KEYS & current.keys():
                return dict(current)
            for key in WRAPPER_KEYS:
                if key in current:
                    seen.append(current[key])
            # A workflow with a single output of any name.
            if len(current) == 1:
                seen.append(next(iter(current.values())))
    if text.strip():
        try:
            parsed = parse_json_text(text)
        except ValueError:
            parsed = None
        if isinstance(parsed, Mapping) and CONTRACT_KEYS & parsed.keys():
            return dict(parsed)
    raise _invalid("the workflow's outputs hold no analysis fields")


def _text(value: Any, limit: int) -> str:
    if value is None:
        return ""
    if isinstance(value, Mapping):
        value = next((v for v in value.values() if isinstance(v, str)), "")
    return " ".join(str(value).split())[:limit]


def _list(value: Any) -> list[Any]:
    value = _maybe_json(value)
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        return [line.strip(" -•*\t") for line in value.splitlines() if line.strip(" -•*\t")]
    return [value]


def _ints(value: Any) -> list[int]:
    value = _maybe_json(value)
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [value]
    if isinstance(value, float) and value.is_integer():
        return [int(value)]
    if isinstance(value, str):
        return [int(x) for x in _INT.findall(value)]
    if isinstance(value, list):
        return [i for item in value for i in _ints(item)]
    return []


def _speaker(value: Any) -> Speaker:
    raw = str(value or "").strip().lower()
    if raw in {"question", "q", "interviewer", "면접관", "질문", "moderator"}:
        return "question"
    return "answer"


def _category(value: Any) -> Category | None:
    raw = re.sub(r"[\s_-]", "", str(value or "").lower())
    if raw in {"painpoint", "painpoints", "pain", "불편", "페인포인트"}:
        return "painpoint"
    if raw in {"needs", "need", "니즈", "요구"}:
        return "needs"
    return None


def _script(value: Any, transcript: Transcript) -> list[ScriptLine]:
    lines: list[ScriptLine] = []
    for item in _list(value)[:5000]:
        item = _maybe_json(item)
        if not isinstance(item, Mapping):
            continue
        ids = _ints(item.get("id", item.get("ids", item.get("line_id"))))[:20]
        sentence = item.get("cleaned_sentence", item.get("sentence", item.get("text")))
        if not ids or sentence is None:
            continue
        lines.append(
            ScriptLine(
                id=ids,
                speaker=_speaker(item.get("speaker")),
                category=_category(item.get("category")),
                cleaned_sentence=str(sentence)[:8000],
            )
        )
    if lines:
        return lines
    # Without a script of its own, the workflow's evidence refers to the numbered lines we sent.
    return [
        ScriptLine(id=[t.id], speaker=t.role, cleaned_sentence=t.text[:8000])
        for t in transcript.turns
    ]


def _findings(value: Any) -> list[Finding]:
    found: list[Finding] = []
    for item in _list(value):
        item = _maybe_json(item)
        if isinstance(item, str):
            found.append(Finding(description=item[:2000], evidence=[]))
            continue
        if not isinstance(item, Mapping):
            continue
        description = (
            item.get("description")
            or item.get("text")
            or item.get("pain_point")
            or (item.get("need") or item.get("title") or "")
        )
        if not str(description).strip():
            continue
        evidence = list(dict.fromkeys(_ints(item.get("evidence", item.get("evidence_ids")))))
        found.append(Finding(description=_text(description, 2000), evidence=evidence[:30]))
    return found[:30]


def _texts(value: Any, limit: int) -> list[str]:
    out = []
    for item in _list(value):
        text = _text(_maybe_json(item), 2000)
        if text:
            out.append(text)
    return out[:limit]


def _score(value: Any) -> int:
    numbers = _INT.findall(str(value if value is not None else ""))
    score = int(numbers[0]) if numbers else 3
    return min(max(score, 1), 5)


def _quality(value: Any) -> QualityAssessment:
    value = _maybe_json(value)
    overall: Any = value.get("overall_quality", value) if isinstance(value, Mapping) else value
    overall = _maybe_json(overall)
    if isinstance(overall, Mapping):
        return QualityAssessment(
            overall_quality=OverallQuality(
                score=_score(overall.get("score")),
                assessment=_text(overall.get("assessment", overall.get("reason")), 2000),
            )
        )
    return QualityAssessment(overall_quality=OverallQuality(score=_score(overall)))


def _profile(value: Any) -> IntervieweeProfile:
    value = _maybe_json(value)
    if isinstance(value, str):
        return IntervieweeProfile(profile_summary=value[:2000])
    if not isinstance(value, Mapping):
        return IntervieweeProfile()
    demographics = _maybe_json(value.get("demographics"))
    demographics = demographics if isinstance(demographics, Mapping) else {}
    return IntervieweeProfile(
        profile_summary=_text(value.get("profile_summary", value.get("summary")), 2000),
        demographics=Demographics(
            age_group=_text(demographics.get("age_group"), 100) or None,
            gender=_text(demographics.get("gender"), 100) or None,
            occupation_context=_text(demographics.get("occupation_context"), 300) or None,
        ),
    )


def _session(value: Any) -> SessionInfo:
    value = _maybe_json(value)
    if not isinstance(value, Mapping):
        return SessionInfo()
    date = _text(value.get("session_date"), 40) or None
    return SessionInfo(session_date=date, interview_topic=_text(value.get("interview_topic"), 2000))


def _sections(value: Any) -> list[ScriptSection]:
    sections: list[ScriptSection] = []
    for item in _list(value):
        item = _maybe_json(item)
        if not isinstance(item, Mapping):
            continue
        name = _text(item.get("sector_name", item.get("name", item.get("section_name"))), 200)
        start, end = _ints(item.get("start_line"))[:1], _ints(item.get("end_line"))[:1]
        if not name or not start:
            continue
        first, last = sorted((start[0], (end or start)[0]))
        main = item.get("is_main_content", True)
        main_flag = (
            main if isinstance(main, bool) else str(main).lower() not in {"false", "0", "no"}
        )
        sections.append(
            ScriptSection(
                sector_name=name, start_line=first, end_line=last, is_main_content=main_flag
            )
        )
    return sections[:50]


def _persona(value: Any, codes: Iterable[str]) -> PersonaMatch | None:
    value = _maybe_json(value)
    if value is None or value == "":
        return None
    known = list(codes)
    if isinstance(value, Mapping):
        raw_code = value.get(
            "code", value.get("persona_code", value.get("persona", value.get("persona_type")))
        )
        explanation = _text(
            value.get("explanation", value.get("reason", value.get("reasoning"))), 2000
        )
        confidence = _maybe_float(value.get("confidence"))
    else:
        raw_code, explanation, confidence = value, "", None
    code_text = str(raw_code or "").strip()
    code = next((c for c in known if c == code_text), None)
    if code is None:
        # "P3 - fits because …" or "Persona P3": the first known code mentioned, else a P-code.
        code = next(
            (c for c in known if re.search(rf"(?<!\w){re.escape(c)}(?!\w)", code_text)), None
        )
    if code is None and not known:
        match = re.search(r"\bP\d+\b", code_text)
        code = match.group(0) if match else None
    if not explanation and isinstance(raw_code, str) and code and raw_code.strip() != code:
        explanation = _text(raw_code, 2000)
    return PersonaMatch(
        code=code[:40] if code else None,
        explanation=explanation,
        confidence=min(
            max(confidence if confidence is not None else (0.5 if code else 0.0), 0.0), 1.0
        ),
    )


def _maybe_float(value: Any) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _keywords(value: Any) -> list[Keyword]:
    out: list[Keyword] = []
    items = _list(value)
    for rank, item in enumerate(items[:50]):
        item = _maybe_json(item)
        if isinstance(item, Mapping):
            term = _text(item.get("term", item.get("keyword")), 100)
            weight = _maybe_float(item.get("weight"))
        else:
            term, weight = _text(item, 100), None
        if term:
            out.append(
                Keyword(
                    term=term,
                    weight=max(
                        weight if weight is not None else 1.0 - rank / (len(items) + 1), 0.0
                    ),
                )
            )
    return out


def detect_language(texts: Iterable[str]) -> str:
    hangul = latin = 0
    for text in texts:
        hangul += len(re.findall(r"[가-힣]", text))
        latin += len(re.findall(r"[A-Za-z]", text))
    if hangul == latin == 0:
        return "und"
    if hangul and latin and min(hangul, latin) / max(hangul, latin) > 0.5:
        return "mixed"
    return "ko" if hangul > latin else "en"


def to_analysis(
    outputs: Mapping[str, Any], transcript: Transcript, context: AnalysisContext, *, text: str = ""
) -> InterviewAnalysis:
    """The contract from a workflow run's outputs (and streamed text, when outputs are empty)."""
    result = find_result(outputs, text)
    try:
        script = _script(result.get("cleaned_script"), transcript)
        persona_value = result.get("ai_persona_match", result.get("persona_match"))
        language = _text(result.get("language"), 8) or detect_language(
            line.cleaned_sentence for line in script[:200]
        )
        return InterviewAnalysis(
            language=language,
            cleaned_script=script,
            session_info=_session(result.get("session_info")),
            interviewee_profile=_profile(result.get("interviewee_profile")),
            interview_quality_assessment=_quality(result.get("interview_quality_assessment")),
            key_takeaways=_texts(result.get("key_takeaways"), 20),
            primary_pain_points=_findings(result.get("primary_pain_points")),
            primary_needs=_findings(result.get("primary_needs")),
            hmw_questions=_texts(result.get("hmw_questions"), 20),
            script_sections=_sections(result.get("script_sections")),
            persona_match=_persona(persona_value, (p.code for p in context.personas)),
            summary=_text(result.get("summary"), 4000),
            keywords=_keywords(result.get("keywords")),
        )
    except ValidationError as exc:
        raise _invalid(
            f"the workflow's analysis does not fit the contract: {exc.error_count()} errors"
        ) from None
