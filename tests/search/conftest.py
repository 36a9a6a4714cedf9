"""Analysed, indexed interviews to search, made through the services as the jobs do."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from persona_insight.analysis.contract import InterviewAnalysis
from persona_insight.analysis.engine import EngineResult
from persona_insight.db import Actor
from persona_insight.embeddings import service as embeddings
from persona_insight.interviews import service as interviews
from persona_insight.search.tasks import run_index
from tests.support import Member, client

CHARGING = [
    (1, "question", "충전은 주로 어디서 하세요?"),
    (2, "answer", "아파트 지하 주차장에서 하는데 자리가 늘 없어서 너무 불편했어요."),
    (3, "question", "그럴 때는 어떻게 하세요?"),
    (4, "answer", "근처 공용 충전소까지 차를 몰고 가서 한참 기다려요."),
    (5, "question", "앱은 어떠세요?"),
    (6, "answer", "The charging app crashes whenever I try to pay."),
    (7, "answer", "예약 기능이 있으면 정말 좋겠어요."),
]


def analysis(lines: list[tuple[int, str, str]], language: str = "ko") -> InterviewAnalysis:
    return InterviewAnalysis.model_validate(
        {
            "language": language,
            "cleaned_script": [
                {"id": [i], "speaker": s, "cleaned_sentence": t} for i, s, t in lines
            ],
            "interview_quality_assessment": {"overall_quality": {"score": 4}},
        }
    )


async def indexed_interview(
    app: Any,
    member: Member,
    project_id: str,
    lines: list[tuple[int, str, str]] = CHARGING,
    title: str = "인터뷰",
) -> str:
    interview_id = await index_analysis(app, member, project_id, analysis(lines), title)
    return str(interview_id)


async def index_analysis(
    app: Any, member: Member, project_id: str, result: InterviewAnalysis, title: str
) -> UUID:
    """An interview stored with `result` as its analysis, then indexed as the job does."""
    async with client(app, member) as c:
        r = await c.post(
            "/api/workflow/async",
            json={"project_id": project_id, "text": "Q: 어디?\nA: 집", "title": title},
        )
        assert r.status_code == 202, r.text
        interview_id = UUID(r.json()["interview_id"])
    db = app.api.state.runtime.db
    actor = Actor(company_id=member.company_id, role="system")
    async with db.unit_of_work(actor) as session:
        assert await interviews.begin_analysis(session, interview_id) is not None
        done = EngineResult(analysis=result, engine="test")
        assert await interviews.complete(session, interview_id, done, 5)
    indexed = await run_index(db, interview_id, member.company_id)
    assert indexed == len([line for line in result.cleaned_script if line.cleaned_sentence.strip()])
    return interview_id


def charging_with_findings() -> InterviewAnalysis:
    """CHARGING with one pain and one need, each citing its line."""
    return InterviewAnalysis.model_validate(
        {
            "language": "ko",
            "cleaned_script": [
                {"id": [i], "speaker": s, "cleaned_sentence": t} for i, s, t in CHARGING
            ],
            "primary_pain_points": [{"description": "아파트 충전 자리 부족", "evidence": [2]}],
            "primary_needs": [{"description": "충전기 예약 기능", "evidence": [7]}],
            "interview_quality_assessment": {"overall_quality": {"score": 4}},
        }
    )


async def indexed_with_findings(app: Any, member: Member, project_id: str, title: str) -> UUID:
    """CHARGING indexed with its findings' vectors stored, as the analysis job leaves them."""
    analysis = charging_with_findings()
    interview_id = await index_analysis(app, member, project_id, analysis, title)
    db = app.api.state.runtime.db
    async with db.unit_of_work(Actor(company_id=member.company_id, role="system")) as session:
        await embeddings.store_findings(
            session,
            company_id=member.company_id,
            project_id=UUID(project_id),
            interview_id=interview_id,
            rows=embeddings.finding_rows(analysis),
        )
    return interview_id
