"""Property: random sequences of user and job actions only ever make legal moves, and every
change leaves exactly one event, numbered without gaps."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from persona_insight.accounts.repository import Authenticated
from persona_insight.analysis.contract import (
    Finding,
    InterviewAnalysis,
    OverallQuality,
    QualityAssessment,
    ScriptLine,
)
from persona_insight.analysis.engine import EngineResult
from persona_insight.db import Actor, Database
from persona_insight.errors import AppError
from persona_insight.interviews import service, states
from persona_insight.models import Interview
from persona_insight.projects import service as projects
from persona_insight.projects.schemas import ProjectCreate
from tests.support import make_user

OPS = ["upload", "start", "complete", "fail", "retry", "delete", "restore"]
EXPECTED_EVENT = {
    "upload": "interview:added",
    "start": "interview:status_changed",
    "complete": "interview:completed",
    "fail": "interview:failed",
    "retry": "interview:status_changed",
    "delete": "interview:deleted",
    "restore": "interview:restored",
}


def _result() -> EngineResult:
    analysis = InterviewAnalysis(
        language="en",
        cleaned_script=[
            ScriptLine(id=[1], speaker="question", cleaned_sentence="Why?"),
            ScriptLine(id=[2], speaker="answer", cleaned_sentence="It is slow."),
        ],
        interview_quality_assessment=QualityAssessment(
            overall_quality=OverallQuality(score=3, assessment="ok")
        ),
        primary_pain_points=[Finding(description="slow", evidence=[2])],
    )
    return EngineResult(analysis=analysis, engine="offline", terms=["slow"])


class World:
    def __init__(self, db: Database, user: Authenticated) -> None:
        self.db = db
        self.user = user
        self.actor = Actor(company_id=user.company_id, user_id=user.user_id, role=user.role)
        self.project_id: UUID | None = None
        self.interviews: list[UUID] = []

    async def new_project(self) -> None:
        async with self.db.unit_of_work(self.actor) as s:
            project = await projects.create(s, self.user, ProjectCreate(name="prop"))
            self.project_id = project.id
        self.interviews = []

    async def snapshot(self, interview_id: UUID) -> tuple[str, bool]:
        async with self.db.unit_of_work(self.actor) as s:
            row = await s.get(Interview, interview_id)
            assert row is not None
            return row.status, row.deleted_at is not None

    async def events(self) -> list[tuple[int, str, str]]:
        async with self.db.unit_of_work(self.actor) as s:
            rows = await s.execute(
                text(
                    "SELECT seq, type, payload->>'interview_id' FROM events"
                    " WHERE project_id = :p ORDER BY seq"
                ),
                {"p": self.project_id},
            )
            return [(r[0], r[1], r[2]) for r in rows]

    async def apply(self, op: str, pick: int) -> UUID | None:
        assert self.project_id is not None
        async with self.db.unit_of_work(self.actor) as s:
            if op == "upload" or not self.interviews:
                access = await projects.require_access(s, self.user, self.project_id)
                created = await service.create(
                    s,
                    self.user,
                    access,
                    title="t",
                    text="Q: why?\nA: it is slow",
                    interview_date=None,
                    file=None,
                )
                self.interviews.append(created.id)
                return None
            target = self.interviews[pick % len(self.interviews)]
            try:
                if op == "start":
                    await service.begin_analysis(s, target)
                elif op == "complete":
                    await service.complete(s, target, _result(), 5)
                elif op == "fail":
                    await service.fail(
                        s,
                        target,
                        {"code": "x", "message": "m", "retryable": False, "engine": "offline"},
                    )
                elif op == "retry":
                    await service.retry(s, self.user, target)
                elif op == "delete":
                    await service.delete(s, self.user, target)
                elif op == "restore":
                    await service.restore(s, self.user, target)
            except AppError:
                pass
            return target


@pytest.fixture
def world(settings: Any) -> Any:
    runner = asyncio.Runner()
    db = Database(settings.database_url, pool_size=2)
    member = runner.run(make_user(db, email="prop@acme.test", role="company_admin"))
    user = Authenticated(
        user_id=member.user_id,
        company_id=member.company_id,
        role="company_admin",
        email=member.email,
        name="prop",
        locale=None,
        session_id=None,
        token_id=None,
        csrf_token=None,
        last_seen_at=None,
    )
    yield runner, World(db, user)
    runner.run(db.dispose())
    runner.close()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 7)), min_size=1, max_size=25))
def test_random_actions_make_only_legal_moves(world: Any, steps: list[tuple[str, int]]) -> None:
    runner, w = world
    runner.run(w.new_project())
    for op, pick in steps:
        before_events = runner.run(w.events())
        target = w.interviews[pick % len(w.interviews)] if w.interviews and op != "upload" else None
        before = runner.run(w.snapshot(target)) if target else None
        touched = runner.run(w.apply(op, pick))
        after_events = runner.run(w.events())
        new = after_events[len(before_events) :]
        if touched is None:  # an upload
            assert [e[1] for e in new] == ["interview:added"]
            continue
        after = runner.run(w.snapshot(touched))
        assert before is not None
        if after == before:
            assert new == [], (op, before, new)
            continue
        if after[0] != before[0]:
            assert states.can(before[0], after[0]), (op, before, after)
        assert len(new) == 1, (op, before, after, new)
        assert new[0][1] == EXPECTED_EVENT[op]
        assert new[0][2] == str(touched)
    seqs = [e[0] for e in runner.run(w.events())]
    assert seqs == list(range(1, len(seqs) + 1))
