"""Property-based tests of `validate_evidence` on random engine outputs.

Engines (LLMs especially) cite line ids that do not exist. Whatever they return, no evidence id
outside the script may survive validation, and an analysis whose findings mostly cite nothing
real is refused with `analysis_invalid_output`.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from persona_insight.analysis.contract import (
    Finding,
    InterviewAnalysis,
    OverallQuality,
    QualityAssessment,
    ScriptLine,
    ScriptSection,
)
from persona_insight.analysis.engine import EngineError
from persona_insight.analysis.validate import validate_evidence

SCRIPT_WORDS = ["charger", "broken", "fees", "waiting", "충전기", "고장", "요금", "대기"]
OTHER_WORDS = ["banana", "teapot", "violin", "사과", "우산", "기린"]
QUALITY = QualityAssessment(overall_quality=OverallQuality(score=3, assessment=""))


def sentence(words: list[str]) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(words), min_size=1, max_size=6).map(" ".join)


@st.composite
def scripts(draw: st.DrawFn) -> list[ScriptLine]:
    """Script lines as engines return them: each from one or more source ids, not always
    contiguous or in order."""
    ids = draw(st.lists(st.integers(1, 80), min_size=1, max_size=30, unique=True))
    lines: list[ScriptLine] = []
    k = 0
    while k < len(ids):
        take = draw(st.integers(1, 3))
        lines.append(
            ScriptLine(
                id=ids[k : k + take],
                speaker=draw(st.sampled_from(["question", "answer"])),
                cleaned_sentence=draw(sentence(SCRIPT_WORDS)),
            )
        )
        k += take
    return lines


def findings(words: list[str], ids: st.SearchStrategy[int]) -> st.SearchStrategy[list[Finding]]:
    finding = st.builds(
        Finding,
        description=sentence(words),
        evidence=st.lists(ids, max_size=8),
    )
    return st.lists(finding, max_size=8)


@st.composite
def analyses(draw: st.DrawFn) -> InterviewAnalysis:
    script = draw(scripts())
    any_id = st.integers(-5, 120)
    words = SCRIPT_WORDS + OTHER_WORDS
    sections = st.lists(
        st.builds(
            ScriptSection,
            sector_name=st.just("section"),
            start_line=st.integers(-10, 150),
            end_line=st.integers(-10, 150),
        ),
        max_size=5,
    )
    return InterviewAnalysis(
        cleaned_script=script,
        interview_quality_assessment=QUALITY,
        primary_pain_points=draw(findings(words, any_id)),
        primary_needs=draw(findings(words, any_id)),
        script_sections=draw(sections),
    )


def outcome(
    analysis: InterviewAnalysis,
) -> tuple[InterviewAnalysis, list[dict[str, Any]]] | EngineError:
    try:
        return validate_evidence(analysis)
    except EngineError as error:
        return error


@settings(max_examples=300, deadline=None)
@given(analyses())
def test_no_evidence_outside_the_script_survives(analysis: InterviewAnalysis) -> None:
    ids = analysis.line_ids()
    everything = [*analysis.primary_pain_points, *analysis.primary_needs]
    result = outcome(analysis)
    if isinstance(result, EngineError):
        assert result.code == "analysis_invalid_output"
        assert result.retryable is False
        # Refusal needs most findings to have cited nothing real.
        citing_nothing = sum(1 for f in everything if not set(f.evidence) & ids)
        assert citing_nothing * 2 > len(everything)
        return
    fixed, repairs = result
    kept = [*fixed.primary_pain_points, *fixed.primary_needs]
    for finding in kept:
        assert finding.evidence, finding
        assert set(finding.evidence) <= ids, finding
        assert len(finding.evidence) == len(set(finding.evidence))
    assert len(kept) <= len(everything)
    max_id = max(ids)
    for section in fixed.script_sections:
        assert 1 <= section.start_line <= section.end_line <= max_id
    assert fixed.cleaned_script == analysis.cleaned_script
    # Every change is recorded.
    changed = any(set(f.evidence) - ids for f in everything) or len(kept) < len(everything)
    assert bool(repairs) or not changed


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_findings_citing_real_lines_keep_exactly_those_lines(data: st.DataObject) -> None:
    script = data.draw(scripts())
    ids = sorted({i for line in script for i in line.id})
    real = st.sampled_from(ids)
    pains = data.draw(
        st.lists(
            st.builds(
                Finding,
                description=sentence(OTHER_WORDS),
                evidence=st.tuples(real, st.lists(st.integers(-5, 120), max_size=6)).map(
                    lambda t: [t[0], *t[1]]
                ),
            ),
            min_size=1,
            max_size=6,
        )
    )
    analysis = InterviewAnalysis(
        cleaned_script=script, interview_quality_assessment=QUALITY, primary_pain_points=pains
    )
    fixed, _ = validate_evidence(analysis)
    assert len(fixed.primary_pain_points) == len(pains)
    for before, after in zip(pains, fixed.primary_pain_points, strict=True):
        expected = list(dict.fromkeys(i for i in before.evidence if i in set(ids)))
        assert after.evidence == expected
        assert after.description == before.description


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_findings_citing_nothing_real_are_refused(data: st.DataObject) -> None:
    script = data.draw(scripts())
    ids = {i for line in script for i in line.id}
    missing = st.integers(-5, 200).filter(lambda i: i not in ids)
    # Descriptions share no word with the script, so nothing can be re-anchored either.
    made_up = data.draw(findings(OTHER_WORDS, missing).filter(bool))
    analysis = InterviewAnalysis(
        cleaned_script=script, interview_quality_assessment=QUALITY, primary_needs=made_up
    )
    with pytest.raises(EngineError) as caught:
        validate_evidence(analysis)
    assert caught.value.code == "analysis_invalid_output"
