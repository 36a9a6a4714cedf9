"""A search may read in a second transaction beside the request's (`service.search`'s `side`):
the answer is the same as reading everything in one, every connection goes back to the pool
whatever fails, and no second connection is taken when the pool has none to spare."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from contextlib import AbstractAsyncContextManager
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.accounts.deps import Ctx
from persona_insight.accounts.repository import Authenticated
from persona_insight.db import Actor, Database, SessionOpener
from persona_insight.errors import NotFound
from persona_insight.search import repository as repo
from persona_insight.search import service
from persona_insight.search.schemas import SearchParams
from tests.search.conftest import indexed_with_findings
from tests.support import Member, make_project, make_user

pytestmark = [pytest.mark.anyio, pytest.mark.slow]


def _caller(member: Member, role: str) -> Authenticated:
    return Authenticated(
        member.user_id, member.company_id, role, member.email, "t", None, None, None, None, None
    )


def _opener(db: Database, actor: Actor, opened: list[int]) -> SessionOpener:
    def side() -> AbstractAsyncContextManager[AsyncSession]:
        opened.append(1)
        return db.unit_of_work(actor)

    return side


async def _indexed(app: Any) -> tuple[Database, Member, str]:
    db = app.api.state.runtime.db
    admin = await make_user(db, email="admin@acme.test", role="company_admin")
    project = await make_project(app, admin)
    await indexed_with_findings(app, admin, project["id"], "인터뷰")
    return db, admin, project["id"]


async def test_reading_beside_gives_the_same_answer(app: Any) -> None:
    db, admin, _ = await _indexed(app)
    user = _caller(admin, "company_admin")
    actor = Actor(admin.company_id, admin.user_id, "company_admin")
    for q, mode in [
        ("충전 자리가 불편", "hybrid"),
        ("app crashes when paying", "hybrid"),
        ("예약", "keyword"),
        ("주차장", "meaning"),
    ]:
        params = SearchParams(q=q, mode=mode)
        async with db.unit_of_work(actor) as session:
            alone = await service.search(session, user, params)
        opened: list[int] = []
        async with db.unit_of_work(actor) as session:
            beside = await service.search(session, user, params, _opener(db, actor, opened))
        assert opened == [1]
        assert beside.model_dump() == alone.model_dump(), q
        assert alone.groups or alone.items, q  # the comparison compares something


async def test_every_connection_returns_when_the_search_fails(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, admin, _ = await _indexed(app)
    outsider = await make_user(db, email="b@other.test", company="Other", role="company_admin")
    other_project = await make_project(app, outsider)
    user = _caller(admin, "company_admin")
    actor = Actor(admin.company_id, admin.user_id, "company_admin")
    pool = db.engine.pool
    before = pool.checkedout()  # type: ignore[attr-defined]

    # Out of scope: the 404 comes while the second transaction is still being opened.
    with pytest.raises(NotFound):
        async with db.unit_of_work(actor) as session:
            await service.search(
                session,
                user,
                SearchParams(q="충전", project_ids=[uuid.UUID(other_project["id"])]),
                _opener(db, actor, []),
            )
    assert pool.checkedout() == before  # type: ignore[attr-defined]

    # The keyword side fails while the meaning side is still reading in the second
    # transaction: the meaning side is stopped before the error reaches the caller, not left
    # running on a session that is being closed.
    ended: list[str] = []
    slow_original = repo.nearest_in_other_script

    async def slow(*args: Any, **kwargs: Any) -> Any:
        try:
            await asyncio.sleep(2)
            return await slow_original(*args, **kwargs)
        except asyncio.CancelledError:
            ended.append("cancelled")
            raise

    async def broken(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(0.3)
        raise RuntimeError("keyword side down")

    monkeypatch.setattr(repo, "keyword_hits", broken)
    monkeypatch.setattr(repo, "nearest_in_other_script", slow)
    with pytest.raises(RuntimeError, match="keyword side down"):
        async with db.unit_of_work(actor) as session:
            await service.search(session, user, SearchParams(q="충전"), _opener(db, actor, []))
    assert ended == ["cancelled"]
    assert pool.checkedout() == before  # type: ignore[attr-defined]


async def test_no_second_connection_without_one_to_spare(app: Any) -> None:
    db = Database(app.api.state.runtime.db.url, pool_size=1)
    try:
        assert db.spare_connection()
        async with db.engine.connect():
            # The one pooled connection is out: the overflow is kept for whole requests.
            assert not db.spare_connection()
        assert db.spare_connection()
    finally:
        await db.dispose()


async def test_the_setting_keeps_every_search_on_one_connection(app: Any) -> None:
    rt = app.api.state.runtime
    member = await make_user(rt.db, email="m@acme.test")
    user = _caller(member, "member")
    on = Ctx(session=None, user=user, rt=rt)  # type: ignore[arg-type]
    assert rt.settings.search_side_reads
    assert on.side_session is not None
    off_settings = rt.settings.model_copy(update={"search_side_reads": False})
    off = Ctx(session=None, user=user, rt=dataclasses.replace(rt, settings=off_settings))  # type: ignore[arg-type]
    assert off.side_session is None
