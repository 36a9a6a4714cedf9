"""The shared embeddings table: finding vectors are stored with the analysis, read back exactly,
searched by meaning only over live interviews the reader may see, and gone with the interview."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import numpy as np
import pytest
from sqlalchemy import text

from persona_insight.db import Actor
from persona_insight.embeddings import repository
from persona_insight.embeddings.vectors import DIM, embed_passages, embed_query
from tests.interviews.samples import ENGLISH, KOREAN
from tests.support import as_owner, client, make_project, make_user, wait_for_status

pytestmark = pytest.mark.anyio


async def _analysed(app: Any, member: Any, project: dict[str, Any], body: str) -> str:
    async with client(app, member) as c:
        r = await c.post("/api/workflow/async", json={"project_id": project["id"], "text": body})
        assert r.status_code == 202, r.text
    interview_id: str = r.json()["interview_id"]
    await wait_for_status(app, member, interview_id, {"completed"})
    return interview_id


async def test_findings_are_embedded_with_the_analysis(app: Any, worker: None) -> None:
    db = app.api.state.runtime.db
    member = await make_user(db, email="kim@acme.test", company="Acme")
    project = await make_project(app, member)
    interview_id = await _analysed(app, member, project, KOREAN)
    async with client(app, member) as c:
        detail = (await c.get(f"/api/interviews/{interview_id}")).json()
    result = detail["analysis"]["result"]
    expected = {f"pain:{i}" for i in range(len(result["primary_pain_points"]))} | {
        f"need:{i}" for i in range(len(result["primary_needs"]))
    }
    assert expected, "the sample has findings"
    async with db.unit_of_work(Actor(company_id=member.company_id, role="system")) as session:
        stored = await repository.load(session, kind="finding", project_ids=[UUID(project["id"])])
    assert {s.ref for s in stored} == expected
    assert all(s.interview_id == UUID(interview_id) for s in stored)
    for s in stored:
        assert s.vector.shape == (DIM,)
        assert abs(float(np.linalg.norm(s.vector)) - 1.0) < 1e-3
        # What is read back is the vector of the stored text (7 significant digits kept).
        assert float(embed_passages([s.text])[0] @ s.vector) > 0.999
        index = int(s.ref.split(":")[1])
        field = "primary_pain_points" if s.ref.startswith("pain") else "primary_needs"
        assert s.text.startswith(result[field][index]["description"])


async def test_nearest_sees_live_interviews_of_readable_projects_only(
    app: Any, worker: None
) -> None:
    db = app.api.state.runtime.db
    alice = await make_user(db, email="alice@acme.test", company="Acme")
    bob = await make_user(db, email="bob@other.test", company="Other")
    mine = await make_project(app, alice)
    theirs = await make_project(app, bob)
    korean = await _analysed(app, alice, mine, KOREAN)
    english = await _analysed(app, alice, mine, "\n".join(ENGLISH))
    await _analysed(app, bob, theirs, KOREAN)
    query = embed_query("charging the car is inconvenient")

    async def nearest(member: Any, **filters: Any) -> list[tuple[repository.Stored, float]]:
        async with db.unit_of_work(
            Actor(company_id=member.company_id, user_id=member.user_id, role="member")
        ) as session:
            return await repository.nearest(
                session, kind="finding", vector=query, limit=50, **filters
            )

    found = await nearest(alice)
    assert {str(s.interview_id) for s, _ in found} == {korean, english}
    similarities = [score for _, score in found]
    assert similarities == sorted(similarities, reverse=True)
    async with db.unit_of_work(
        Actor(company_id=alice.company_id, user_id=alice.user_id, role="member")
    ) as session:
        refs = await repository.nearest_refs(session, kind="finding", vector=query, limit=50)
    # The light form finds the same rows in the same order, without their text and vectors.
    assert refs == [(s.owner_id, s.ref, score) for s, score in found]
    # Row-level security: Bob's findings are invisible to Alice whatever she asks for.
    assert await nearest(alice, project_ids=[UUID(theirs["id"])]) == []
    only_korean = await nearest(alice, interview_ids=[UUID(korean)])
    assert {str(s.interview_id) for s, _ in only_korean} == {korean}

    async with client(app, alice) as c:
        assert (await c.delete(f"/api/interviews/{korean}")).status_code in {200, 204}
    assert {str(s.interview_id) for s, _ in await nearest(alice)} == {english}
    async with db.unit_of_work(Actor(company_id=alice.company_id, role="system")) as session:
        kept = await repository.load(session, kind="finding", live_only=False)
    assert korean in {str(s.interview_id) for s in kept}, "trash keeps vectors for a restore"

    async with as_owner(db.owner_url) as session:
        await session.execute(text("DELETE FROM interviews WHERE id = :id"), {"id": korean})
        left = await session.scalar(
            text("SELECT count(*) FROM embeddings WHERE interview_id = :id"), {"id": korean}
        )
    assert left == 0


async def test_every_connection_walks_the_vector_index_until_enough_rows_pass(app: Any) -> None:
    """A filtered search by meaning must not come back short: pgvector's iterative scan is set
    when each connection starts (it was a `SET LOCAL` before each statement, three round trips
    a search), for the application's connections and the owner's alike."""
    from persona_insight.db import Database

    db = app.api.state.runtime.db
    owner = Database(db.owner_url, app_role=False, pool_size=1)
    try:
        for database in (db, owner):
            async with database.unit_of_work(Actor.system()) as session:
                # The setting is pgvector's own once its library is loaded by a vector.
                await session.execute(text("SELECT CAST('[1,0]' AS vector) <=> '[0,1]'"))
                setting = await session.scalar(text("SHOW hnsw.iterative_scan"))
            assert setting == "relaxed_order", database.url
    finally:
        await owner.dispose()


async def test_real_array_column_decodes_like_vector(app: Any) -> None:
    """A server without pgvector stores `real[]`; its binary form decodes to the same numbers."""
    db = app.api.state.runtime.db
    vector = embed_passages(["배터리가 금방 닳아요"])[0]
    literal = repository._literal(vector, pgvector=False)
    async with as_owner(db.owner_url) as session:
        raw = await session.scalar(text("SELECT array_send(CAST(:v AS real[]))"), {"v": literal})
        raw_vector = await session.scalar(
            text("SELECT vector_send(CAST(:v AS vector))"),
            {"v": repository._literal(vector, pgvector=True)},
        )
    assert np.allclose(repository._decode(bytes(raw), pgvector=False), vector, atol=1e-6)
    assert np.allclose(repository._decode(bytes(raw_vector), pgvector=True), vector, atol=1e-6)


def test_a_query_is_embedded_once_and_shared_read_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from persona_insight.analysis.offline import models

    calls: list[list[str]] = []
    real = models.embed_queries

    def counted(texts: list[str]) -> Any:
        calls.append(list(texts))
        return real(texts)

    monkeypatch.setattr(models, "embed_queries", counted)
    text_ = "a query asked twice within one search 검색"
    first = embed_query(text_)
    again = embed_query(text_)
    assert calls == [[text_]]
    assert np.array_equal(first, again)
    assert np.allclose(first, real([text_])[0])
    with pytest.raises(ValueError, match="read-only"):
        first *= 2
