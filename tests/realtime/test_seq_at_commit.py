"""Events are numbered when their transaction commits: concurrent changes to one project do not
wait for each other's counter lock, and seq order is still commit order."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import text

from persona_insight.db import Actor, Database
from persona_insight.realtime.events import INTERVIEW_UPDATED, append
from tests.support import make_project, make_user

pytestmark = pytest.mark.anyio


@pytest.fixture
async def project(app: Any, settings: Any) -> AsyncIterator[tuple[Database, UUID, UUID]]:
    """The database's owner (no row-level security in the way), a project and its company."""
    db = Database(settings.database_url, pool_size=1)
    owner = Database(db.owner_url, pool_size=3, app_role=False)
    try:
        member = await make_user(db, email="owner@acme.test")
        created = await make_project(app, member)
        yield owner, UUID(created["id"]), member.company_id
    finally:
        await owner.dispose()
        await db.dispose()


async def _events(db: Database, project_id: UUID) -> list[tuple[int, int]]:
    async with db.unit_of_work(Actor.system()) as session:
        rows = await session.execute(
            text("SELECT seq, (payload->>'n')::int FROM events WHERE project_id = :p ORDER BY seq"),
            {"p": project_id},
        )
        return [(int(seq), int(n)) for seq, n in rows]


async def test_an_open_transaction_does_not_hold_back_another_and_seq_follows_commits(
    project: tuple[Database, UUID, UUID],
) -> None:
    owner, project_id, company_id = project

    async def add(session: Any, n: int) -> None:
        await session.execute(text("SET LOCAL lock_timeout = '2s'"))
        await append(
            session,
            project_id=project_id,
            company_id=company_id,
            type=INTERVIEW_UPDATED,
            data={"n": n},
            actor_id=None,
        )

    first_added = asyncio.Event()
    second_done = asyncio.Event()

    async def first() -> None:
        async with owner.unit_of_work(Actor.system()) as session:
            await add(session, 1)
            first_added.set()
            # Still open while the second transaction appends and commits.
            await asyncio.wait_for(second_done.wait(), 10)

    async def second() -> None:
        await first_added.wait()
        async with owner.unit_of_work(Actor.system()) as session:
            await add(session, 2)  # before: blocked on the counter row, lock_timeout
        second_done.set()

    await asyncio.wait_for(asyncio.gather(first(), second()), 20)

    # The one that committed first has the lower seq; seqs continue the project's.
    events = await _events(owner, project_id)
    assert [n for _, n in events] == [2, 1]
    seqs = [seq for seq, _ in events]
    assert seqs == sorted(seqs)
    assert seqs[1] == seqs[0] + 1
    assert min(seqs) > 0


async def test_an_event_of_a_project_without_counter_fails_the_commit(
    project: tuple[Database, UUID, UUID],
) -> None:
    from sqlalchemy.exc import DBAPIError

    owner, project_id, company_id = project
    async with owner.unit_of_work(Actor.system()) as session:
        await session.execute(
            text("DELETE FROM project_event_counters WHERE project_id = :p"), {"p": project_id}
        )
    with pytest.raises(DBAPIError, match="has no event counter"):
        async with owner.unit_of_work(Actor.system()) as session:
            await append(
                session,
                project_id=project_id,
                company_id=company_id,
                type=INTERVIEW_UPDATED,
                data={"n": 1},
                actor_id=None,
            )
    assert await _events(owner, project_id) == []
