"""English that reads right where a count or an adjective is filled in (issue 17): "An adequate
interview", not "A adequate"; "1 substantive answer", not "1 … answers"."""

from __future__ import annotations

from typing import Any

import pytest

from persona_insight.analysis.engine import AnalysisContext
from persona_insight.analysis.registry import build_engine
from persona_insight.analysis.transcript import parse

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

ANSWER = (
    "I usually order groceries on Sunday evening because the weekday delivery slots are "
    "always gone by the time I finish work."
)


async def _assessment(settings: Any, answers: list[str]) -> str:
    text = "\n".join(f"Q: What happened next, step {n}?\nA: {a}" for n, a in enumerate(answers))
    context = AnalysisContext(title="wording", interview_date=None)
    result = await build_engine("offline", settings).analyse(parse(text), context)
    return result.analysis.interview_quality_assessment.overall_quality.assessment


async def test_quality_sentence_reads_right(settings: Any) -> None:
    adequate = await _assessment(settings, [ANSWER] * 6)
    assert adequate.startswith("An adequate interview: 6 substantive answers"), adequate
    thin = await _assessment(settings, [ANSWER, "Yes.", "No.", "Maybe."])
    assert "1 substantive answer " in thin, thin
    assert not thin.startswith(("A a", "A e", "A i", "A o", "A u")), thin
