"""Workflow outputs in the shapes real workflows produce, mapped into the contract."""

from __future__ import annotations

import json
from typing import Any

import pytest

from persona_insight.analysis.engine import AnalysisContext, EngineError, PersonaRef
from persona_insight.analysis.miso.mapping import (
    detect_language,
    find_result,
    parse_json_text,
    to_analysis,
)
from persona_insight.analysis.transcript import parse

TRANSCRIPT = parse(
    "Q: How do you charge?\nA: At home, but the spot is often taken.\nQ: Wish?\n"
    "A: A reservation button."
)
CONTEXT = AnalysisContext(personas=(PersonaRef("P1", "Home", "home"), PersonaRef("P3", "Work", "")))


def _map(outputs: dict[str, Any], context: AnalysisContext = CONTEXT) -> Any:
    return to_analysis(outputs, TRANSCRIPT, context)


def test_contract_fields_directly_in_outputs() -> None:
    analysis = _map(
        {
            "primary_pain_points": [{"description": "Spot often taken", "evidence": [2]}],
            "key_takeaways": ["Charging spots are scarce"],
        }
    )
    assert analysis.primary_pain_points[0].evidence == [2]
    # No script from the workflow: the transcript's numbered turns are the script.
    assert [line.id for line in analysis.cleaned_script] == [[1], [2], [3], [4]]
    assert analysis.interview_quality_assessment.overall_quality.score == 3
    assert analysis.language == "en"


def test_fields_that_are_json_strings() -> None:
    analysis = _map(
        {
            "cleaned_script": json.dumps(
                [
                    {"id": 1, "speaker": "Q", "category": "none", "cleaned_sentence": "How?"},
                    {
                        "id": "2",
                        "speaker": "A",
                        "category": "pain_point",
                        "cleaned_sentence": "Spot taken.",
                    },
                    {
                        "id": [3, 4],
                        "speaker": "interviewee",
                        "category": "need",
                        "cleaned_sentence": "Reserve.",
                    },
                ]
            ),
            "primary_needs": '[{"description": "Reservation", "evidence": "3, 4"}]',
            "interview_quality_assessment": '{"overall_quality": {"score": "4/5", '
            '"assessment": "ok"}}',
            "key_takeaways": "- Spots are scarce\n- Reservations wanted",
            "ai_persona_match": "P3 - commutes and charges at work",
        }
    )
    script = analysis.cleaned_script
    assert [line.id for line in script] == [[1], [2], [3, 4]]
    assert [line.speaker for line in script] == ["question", "answer", "answer"]
    assert [line.category for line in script] == [None, "painpoint", "needs"]
    assert analysis.primary_needs[0].evidence == [3, 4]
    assert analysis.interview_quality_assessment.overall_quality.score == 4
    assert analysis.key_takeaways == ["Spots are scarce", "Reservations wanted"]
    assert analysis.persona_match is not None
    assert analysis.persona_match.code == "P3"
    assert analysis.persona_match.explanation == "P3 - commutes and charges at work"


@pytest.mark.parametrize("key", ["result", "output", "text", "answer"])
def test_json_under_a_wrapper_key(key: str) -> None:
    payload = {
        "primary_pain_points": [{"description": "Taken", "evidence": [2]}],
        "session_info": {"session_date": "2024-03-15", "interview_topic": "Charging"},
    }
    text = "Here you go:\n```json\n" + json.dumps(payload) + "\n```\nThanks!"
    analysis = _map({key: text})
    assert analysis.session_info.interview_topic == "Charging"
    assert analysis.session_info.session_date == "2024-03-15"


def test_single_output_of_any_name_and_nested_dict() -> None:
    result = find_result({"analysis_json": {"result": {"hmw_questions": ["HMW reserve?"]}}})
    assert result == {"hmw_questions": ["HMW reserve?"]}


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("P1", "P1"),
        ({"code": "P3", "explanation": "work"}, "P3"),
        ({"persona_code": "P1", "reason": "home", "confidence": 0.7}, "P1"),
        ('{"persona": "P3"}', "P3"),
        ("Persona P3 fits best", "P3"),
        ("P9", None),
        ("none", None),
    ],
)
def test_persona_match_shapes(value: Any, code: str | None) -> None:
    analysis = _map({"ai_persona_match": value})
    assert analysis.persona_match is not None
    assert analysis.persona_match.code == code


def test_persona_codes_pass_through_when_the_company_has_none() -> None:
    analysis = _map({"ai_persona_match": "P12"}, AnalysisContext())
    assert analysis.persona_match is not None
    assert analysis.persona_match.code == "P12"


def test_values_are_clipped_to_the_contract() -> None:
    analysis = _map(
        {
            "key_takeaways": [f"takeaway {i}" for i in range(40)],
            "primary_pain_points": [{"description": "x" * 5000, "evidence": list(range(60))}],
            "interview_quality_assessment": {"overall_quality": {"score": 9}},
            "script_sections": [
                {
                    "sector_name": "Intro",
                    "start_line": "3",
                    "end_line": 1,
                    "is_main_content": "false",
                }
            ],
        }
    )
    assert len(analysis.key_takeaways) == 20
    assert len(analysis.primary_pain_points[0].description) == 2000
    assert len(analysis.primary_pain_points[0].evidence) == 30
    assert analysis.interview_quality_assessment.overall_quality.score == 5
    section = analysis.script_sections[0]
    assert (section.start_line, section.end_line, section.is_main_content) == (1, 3, False)


def test_unreadable_outputs_are_invalid() -> None:
    with pytest.raises(EngineError) as caught:
        _map({"text": "I cannot help with that."})
    assert caught.value.code == "analysis_invalid_output"
    assert caught.value.retryable is False


def test_parse_json_text() -> None:
    assert parse_json_text('```json\n{"a": 1}\n```') == {"a": 1}
    assert parse_json_text('prefix {"a": [1, 2]} suffix') == {"a": [1, 2]}
    assert parse_json_text("[1, 2]") == [1, 2]
    with pytest.raises(ValueError, match="no JSON"):
        parse_json_text("nothing here")


def test_detect_language() -> None:
    assert detect_language(["충전이 불편해요"]) == "ko"
    assert detect_language(["Charging is painful"]) == "en"
    assert detect_language(["충전소가 부족해요", "not enough"]) == "mixed"
    assert detect_language(["123"]) == "und"
