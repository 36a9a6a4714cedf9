"""An interview is searchable by its words before its vectors are computed (e5 takes ~80 s on a
1,000-line interview here, Kiwi ~3 s), and a trash between the two phases wins."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import text

from persona_insight.analysis.engine import EngineResult
from persona_insight.db import Actor
from persona_insight.interviews import service as interviews
from persona_insight.search import indexing
from persona_insight.search.tasks import run_index
from tests.search.conftest import CHARGING, analysis
from tests.support import Member, as_owner, client, make_project, make_user

pytestmark = [pytest.mark.anyio, pytest.mark.slow]


class Paused:
    """Holds the index job when it starts embedding its lines, until released; the real
    embedding then runs."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.reached = threading.Event()
        self.release = threading.Event()
        real = indexing.embed_passages

        def held(*args: Any) -> Any:
            self.reached.set()
            assert self.release.wait(60), "the test never released the vector phase"
            return real(*args)

        monkeypatch.setattr(indexing, "embed_passages", held)

    async def wait(self) -> None:
        assert await asyncio.to_thread(self.reached.wait, 60)


async def _completed(app: Any, member: Member, project_id: str) -> UUID:
    """A completed interview whose index job has not run."""
    async with client(app, member) as c:
        r = await c.post(
            "/api/workflow/async",
            json={"project_id": project_id, "text": "Q: 어디?\nA: 집", "title": "인터뷰"},
        )
        assert r.status_code == 202, r.text
        interview_id = UUID(r.json()["interview_id"])
    db = app.api.state.runtime.db
    async with db.unit_of_work(Actor(company_id=member.company_id, role="system")) as session:
        assert await interviews.begin_analysis(session, interview_id) is not None
        done = EngineResult(analysis=analysis(CHARGING), engine="test")
        assert await interviews.complete(session, interview_id, done, 5)
    return interview_id


async def _vectors(app: Any, member: Member, interview_id: UUID) -> int:
    db = app.api.state.runtime.db
    async with db.unit_of_work(Actor(company_id=member.company_id, role="system")) as session:
        rows = await session.execute(
            text("SELECT count(*) FROM embeddings WHERE kind = 'line' AND interview_id = :i"),
            {"i": interview_id},
        )
        return int(rows.scalar_one())


@contextlib.asynccontextmanager
async def held_job(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[Member, UUID, asyncio.Task[int]]]:
    """A completed interview whose index job runs, held at its embedding until the block ends:
    (its owner, the interview, the job)."""
    db = app.api.state.runtime.db
    owner = await make_user(db, email="owner@acme.test")
    project = await make_project(app, owner)
    interview_id = await _completed(app, owner, project["id"])
    paused = Paused(monkeypatch)
    job = asyncio.create_task(run_index(db, interview_id, owner.company_id))
    try:
        await paused.wait()
        yield owner, interview_id, job
    finally:
        paused.release.set()


def _lines(body: dict[str, Any]) -> list[int]:
    return [hit["line_id"] for group in body["groups"] for hit in group["hits"]]


async def test_words_are_found_before_the_vectors_exist(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with held_job(app, monkeypatch) as (owner, interview_id, job):
        async with client(app, owner) as c:
            r = await c.get("/api/search", params={"q": "불편하다"})
        assert r.status_code == 200, r.text
        assert _lines(r.json()) == [2]
        assert await _vectors(app, owner, interview_id) == 0
    assert await job == len(CHARGING)
    assert await _vectors(app, owner, interview_id) == len(CHARGING)
    async with client(app, owner) as c:
        r = await c.get("/api/search", params={"q": "주차 공간이 부족하다", "mode": "meaning"})
    assert 2 in _lines(r.json())


async def test_a_trash_between_the_phases_wins(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    async with (
        held_job(app, monkeypatch) as (owner, interview_id, job),
        client(app, owner) as c,
    ):
        assert (await c.delete(f"/api/interviews/{interview_id}")).status_code == 200
    assert await job == 0
    assert await _vectors(app, owner, interview_id) == 0
    async with client(app, owner) as c:
        r = await c.get("/api/search", params={"q": "불편하다"})
    assert r.json()["groups"] == []


async def test_a_re_analysis_between_the_phases_is_what_gets_indexed(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The analysis changes while the vectors of the old one are computed: the second write
    indexes the new one, words and vectors alike, and nothing of the old stays."""
    db = app.api.state.runtime.db
    changed = [(n, s, "배터리가 금방 닳아서 걱정이에요." if n == 2 else t) for n, s, t in CHARGING]
    async with (
        held_job(app, monkeypatch) as (owner, interview_id, job),
        as_owner(db.owner_url) as session,
    ):
        await session.execute(
            text("UPDATE interview_analyses SET result = :r WHERE interview_id = :i"),
            {"r": analysis(changed).model_dump_json(), "i": interview_id},
        )
    assert await job == len(CHARGING)
    async with as_owner(db.owner_url) as session:
        for table, kind in (("search_lines", ""), ("embeddings", " AND kind = 'line'")):
            rows = await session.execute(
                text(f"SELECT text FROM {table} WHERE interview_id = :i{kind}"),  # noqa: S608
                {"i": interview_id},
            )
            texts = {r.text for r in rows}
            assert "배터리가 금방 닳아서 걱정이에요." in texts, table
            assert not any("자리가 늘 없어서" in t for t in texts), table
    async with client(app, owner) as c:
        r = await c.get("/api/search", params={"q": "배터리", "mode": "keyword"})
    assert _lines(r.json()) == [2]


async def test_the_job_reports_what_its_time_went_to(app: Any) -> None:
    """The benchmark's breakdown of a long interview's wait comes from the job itself: each of
    its four phases, in the order they ran."""
    db = app.api.state.runtime.db
    owner = await make_user(db, email="owner@acme.test")
    project = await make_project(app, owner)
    interview_id = await _completed(app, owner, project["id"])
    timings: dict[str, float] = {}
    count = await indexing.index_interview(
        lambda: db.unit_of_work(Actor(company_id=owner.company_id, role="system")),
        interview_id,
        timings,
    )
    assert count == len(CHARGING)
    assert list(timings) == ["keywords", "keywords_written", "vectors", "vectors_written"]
    assert all(seconds >= 0 for seconds in timings.values())
