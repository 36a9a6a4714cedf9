"""An analysed interview to put notes on, made through the services (no engine run needed)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from persona_insight.analysis.contract import InterviewAnalysis
from persona_insight.analysis.engine import EngineResult
from persona_insight.db import Actor
from persona_insight.interviews import service as interviews
from tests.support import Member, client

SCRIPT = [
    {"id": [1], "speaker": "question", "cleaned_sentence": "충전은 어디서 하세요?"},
    {"id": [2], "speaker": "answer", "category": "painpoint", "cleaned_sentence": "자리가 없어요."},
    {"id": [3], "speaker": "question", "cleaned_sentence": "무엇이 있으면 좋을까요?"},
    {"id": [4, 5], "speaker": "answer", "category": "needs", "cleaned_sentence": "예약이요."},
]


def analysis() -> InterviewAnalysis:
    return InterviewAnalysis.model_validate(
        {
            "language": "ko",
            "cleaned_script": SCRIPT,
            "interview_quality_assessment": {"overall_quality": {"score": 4}},
            "primary_pain_points": [{"description": "자리가 없다", "evidence": [2]}],
            "primary_needs": [{"description": "예약", "evidence": [4]}],
        }
    )


async def upload(app: Any, member: Member, project_id: str, text: str = "Q: 어디?\nA: 집") -> str:
    async with client(app, member) as c:
        r = await c.post("/api/workflow/async", json={"project_id": project_id, "text": text})
        assert r.status_code == 202, r.text
        interview_id: str = r.json()["interview_id"]
        return interview_id


async def analysed_interview(app: Any, member: Member, project_id: str) -> str:
    interview_id = await upload(app, member, project_id)
    db = app.api.state.runtime.db
    # As the analysis job does: the system, acting within the company.
    async with db.unit_of_work(Actor(company_id=member.company_id, role="system")) as session:
        assert await interviews.begin_analysis(session, UUID(interview_id)) is not None
        done = await interviews.complete(
            session, UUID(interview_id), EngineResult(analysis=analysis(), engine="test"), 5
        )
        assert done
    return interview_id
