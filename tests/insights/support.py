"""Analysed interviews with chosen findings, stored through the services with their vectors (as
the analysis job stores them), and a recomputation run as the job runs it."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from persona_insight.analysis.contract import InterviewAnalysis
from persona_insight.analysis.engine import EngineResult
from persona_insight.db import Actor
from persona_insight.embeddings.service import finding_rows
from persona_insight.insights import tasks
from persona_insight.interviews import service as interviews
from tests.support import Member, client


def analysis(pains: list[str], needs: list[str], language: str = "en") -> InterviewAnalysis:
    script: list[dict[str, Any]] = []
    out: dict[str, list[dict[str, Any]]] = {"pain": [], "need": []}
    line = 1
    for kind, texts in (("pain", pains), ("need", needs)):
        for said in texts:
            script.append({"id": [line], "speaker": "question", "cleaned_sentence": "Why?"})
            script.append(
                {
                    "id": [line + 1],
                    "speaker": "answer",
                    "cleaned_sentence": said,
                    "sentiment": "negative" if kind == "pain" else "neutral",
                }
            )
            out[kind].append({"description": said, "evidence": [line + 1]})
            line += 2
    return InterviewAnalysis.model_validate(
        {
            "language": language,
            "cleaned_script": script,
            "interview_quality_assessment": {"overall_quality": {"score": 4}},
            "primary_pain_points": out["pain"],
            "primary_needs": out["need"],
            "keywords": [{"term": "price", "weight": 0.5}],
        }
    )


async def analysed(
    app: Any, member: Member, project_id: str, result: InterviewAnalysis, title: str = "Interview"
) -> UUID:
    async with client(app, member) as c:
        r = await c.post(
            "/api/workflow/async",
            json={"project_id": project_id, "text": "Q: Why?\nA: Because.", "title": title},
        )
        assert r.status_code == 202, r.text
        interview_id = UUID(r.json()["interview_id"])
    db = app.api.state.runtime.db
    async with db.unit_of_work(Actor(company_id=member.company_id, role="system")) as session:
        assert await interviews.begin_analysis(session, interview_id) is not None
        assert await interviews.complete(
            session,
            interview_id,
            EngineResult(analysis=result, engine="test"),
            5,
            finding_rows(result),
        )
    return interview_id


async def recompute(app: Any, member: Member, project_id: str) -> bool:
    return await tasks.run_recompute(app.api.state.runtime.db, UUID(project_id), member.company_id)
