"""The insights read is served from a built view while the state's version numbers stand: a
repeat read builds nothing, and every change (recomputation, rename, pin, hide, merge, summary,
a new interview) is in the next answer. The server's fingerprint of the inputs is the one the
recomputation stores."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

import pytest

from persona_insight.db import Actor
from persona_insight.insights import cache, service
from persona_insight.insights import repository as repo
from persona_insight.insights.schemas import InsightFilters
from tests.insights.support import analysed, analysis, recompute
from tests.support import client, make_project, make_user

pytestmark = pytest.mark.anyio


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[InsightFilters]:
    """The filters of every view built from the stored themes (a miss of the cache)."""
    made: list[InsightFilters] = []
    real = service._build_view

    async def counted(session: Any, project_id: UUID, filters: InsightFilters) -> Any:
        made.append(filters)
        return await real(session, project_id, filters)

    monkeypatch.setattr(service, "_build_view", counted)
    return made


@pytest.fixture
def input_reads(monkeypatch: pytest.MonkeyPatch) -> list[UUID]:
    """Every pass over the project's live interviews (for `pending` and the summary's count)."""
    made: list[UUID] = []
    real = repo.inputs_mark

    async def counted(session: Any, project_id: UUID) -> Any:
        made.append(project_id)
        return await real(session, project_id)

    monkeypatch.setattr(repo, "inputs_mark", counted)
    return made


async def test_server_fingerprint_is_the_recomputations(app: Any) -> None:
    db = app.api.state.runtime.db
    owner = await make_user(db, email="owner@acme.test")
    pid = (await make_project(app, owner))["id"]
    await analysed(app, owner, pid, analysis(["배달 음식이 식어요"], [], "ko"), "민수 — 첫 인터뷰")
    await analysed(app, owner, pid, analysis(["Cold food"], ["Tracking"]), "Jane's")
    async with client(app, owner) as c:
        r = await c.patch(
            f"/api/interviews/{(await _ids(app, owner, pid))[0]}",
            json={"interview_date": "2025-05-01"},
        )
        assert r.status_code == 200, r.text
    assert await recompute(app, owner, pid)
    async with db.unit_of_work(Actor(company_id=owner.company_id, role="system")) as session:
        st = await repo.state(session, UUID(pid))
        assert st is not None
        now = await repo.inputs_mark(session, UUID(pid))
        assert now is not None
        expected = service.fingerprint(await repo.marks(session, UUID(pid)), st.edit_version)
        assert now.fingerprint == expected == st.fingerprint
        st.edit_version += 1
        await session.flush()
        now = await repo.inputs_mark(session, UUID(pid))
        assert now is not None
        assert now.fingerprint == service.fingerprint(
            await repo.marks(session, UUID(pid)), st.edit_version
        )
        assert now.fingerprint != st.fingerprint


async def _ids(app: Any, owner: Any, pid: str) -> list[str]:
    async with client(app, owner) as c:
        r = await c.get(f"/api/projects/{pid}/interviews")
        assert r.status_code == 200, r.text
        body = r.json()
        items = body["items"] if isinstance(body, dict) else body
        return [i["id"] for i in items]


async def test_repeat_reads_build_nothing_and_every_change_shows(
    app: Any, builds: list[InsightFilters], input_reads: list[UUID]
) -> None:
    db = app.api.state.runtime.db
    owner = await make_user(db, email="owner@acme.test")
    pid = (await make_project(app, owner))["id"]
    url = f"/api/projects/{pid}/insights"
    await analysed(app, owner, pid, analysis(["Delivery always arrives cold"], []), "A")
    async with client(app, owner) as c:
        before = (await c.get(url)).json()
        assert before["pending"] is True
        assert before["themes"] == []
    assert await recompute(app, owner, pid)
    async with client(app, owner) as c:
        first = (await c.get(url)).json()
        assert first["pending"] is False
        [theme] = first["themes"]
        builds.clear()
        input_reads.clear()
        for _ in range(3):
            assert (await c.get(url)).json() == first
        assert builds == []  # served from the built view
        assert input_reads == []  # no interview changed: no event
        # Different filters are different views.
        assert (await c.get(url, params={"language": "ko"})).json()["interview_count"] == 0
        assert (await c.get(url, params={"language": "ko"})).json()["interview_count"] == 0
        assert len(builds) == 1

        r = await c.patch(f"/api/insights/themes/{theme['id']}", json={"label": "Cold food"})
        assert r.status_code == 200, r.text
        assert (await c.get(url)).json()["themes"][0]["label"] == "Cold food"
        r = await c.patch(f"/api/insights/themes/{theme['id']}", json={"hidden": True})
        assert (await c.get(url)).json()["themes"][0]["hidden"] is True
        r = await c.patch(f"/api/insights/themes/{theme['id']}", json={"hidden": False})

        r = await c.post(f"{url}/summary")
        assert r.status_code == 202
    async with db.unit_of_work(Actor(company_id=owner.company_id, role="system")) as session:
        await service.summarise(session, UUID(pid), owner.company_id)
    async with client(app, owner) as c:
        body = (await c.get(url)).json()
        assert body["summary"]["new_interviews"] == 0
        seq = body["last_seq"]

    # A new interview: pending and the summary's count change at once, themes at the next
    # recomputation.
    builds.clear()
    await analysed(app, owner, pid, analysis(["The app logs me out"], []), "B")
    async with client(app, owner) as c:
        body = (await c.get(url)).json()
    assert builds == []
    assert body["pending"] is True
    assert body["summary"]["new_interviews"] == 1
    assert body["last_seq"] > seq
    assert body["interview_count"] == 1
    assert await recompute(app, owner, pid)
    async with client(app, owner) as c:
        body = (await c.get(url)).json()
    assert body["pending"] is False
    assert body["interview_count"] == 2
    assert len(builds) == 1


async def test_concurrent_misses_build_once() -> None:
    key = cache.Key(UUID(int=1), "{}", 1, 0, None, None)
    calls = 0
    gate = asyncio.Event()

    async def build() -> Any:
        nonlocal calls
        calls += 1
        await gate.wait()
        return "built"

    waiting = [asyncio.ensure_future(cache.get_or_build(key, build)) for _ in range(5)]
    await asyncio.sleep(0)
    gate.set()
    assert await asyncio.gather(*waiting) == ["built"] * 5
    assert calls == 1
    cache.clear()


async def test_a_failed_build_is_not_kept() -> None:
    key = cache.Key(UUID(int=2), "{}", 1, 0, None, None)

    async def broken() -> Any:
        raise RuntimeError("database went away")

    async def fine() -> Any:
        return "built"

    with pytest.raises(RuntimeError):
        await cache.get_or_build(key, broken)
    assert await cache.get_or_build(key, fine) == "built"
    cache.clear()
