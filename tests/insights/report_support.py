"""Analysed interviews for the report and export tests, stored through the services."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from persona_insight.analysis.contract import InterviewAnalysis
from persona_insight.analysis.engine import EngineResult
from persona_insight.db import Actor
from persona_insight.interviews import service as interviews
from tests.notes.conftest import upload
from tests.support import Member

SCRIPT = [
    {"id": [1], "speaker": "question", "cleaned_sentence": "충전은 어디서 하세요?"},
    {"id": [2], "speaker": "answer", "category": "painpoint", "cleaned_sentence": "자리가 없어요."},
    {"id": [3], "speaker": "question", "cleaned_sentence": "무엇이 있으면 좋을까요?"},
    {"id": [4, 5], "speaker": "answer", "category": "needs", "cleaned_sentence": "=예약이요."},
]


def analysis(**changes: Any) -> InterviewAnalysis:
    return InterviewAnalysis.model_validate(
        {
            "language": "ko",
            "cleaned_script": SCRIPT,
            "interview_quality_assessment": {"overall_quality": {"score": 4}},
            "summary": "충전 자리를 찾기 어렵다.",
            "key_takeaways": ["예약 기능이 필요하다"],
            "primary_pain_points": [
                {"description": "충전 자리가 없다", "evidence": [2], "confidence": 0.9}
            ],
            # Evidence 5 is the second source id of the line [4, 5]; 9 is no line at all.
            "primary_needs": [{"description": "충전 예약", "evidence": [5, 9]}],
            **changes,
        }
    )


async def analysed(
    app: Any, member: Member, project_id: str, result: InterviewAnalysis | None = None
) -> str:
    interview_id = await upload(app, member, project_id, "Q: 충전?\nA: 자리가 없어요")
    db = app.api.state.runtime.db
    async with db.unit_of_work(Actor(company_id=member.company_id, role="system")) as session:
        assert await interviews.begin_analysis(session, UUID(interview_id)) is not None
        done = await interviews.complete(
            session, UUID(interview_id), EngineResult(analysis=result or analysis(), engine="t"), 5
        )
        assert done
    return interview_id
