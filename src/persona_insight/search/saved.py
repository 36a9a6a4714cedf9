"""Saved searches: a user's own named queries (nobody else's, whatever their role)."""

from __future__ import annotations

import datetime as dt
import uuid
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.accounts.repository import Authenticated
from persona_insight.errors import Conflict, NotFound
from persona_insight.projects import service as projects
from persona_insight.search import repository as repo
from persona_insight.search.schemas import SavedSearchIn, SavedSearchOut
from persona_insight.search.service import clean_query

MAX_SAVED = 100


def _out(row: dict[str, object]) -> SavedSearchOut:
    query = row["query"]
    assert isinstance(query, dict)
    created = row["created_at"]
    assert isinstance(created, dt.datetime)
    return SavedSearchOut(
        id=row["id"],
        name=str(row["name"]),
        q=query["q"],
        project_ids=query.get("project_ids", []),
        role=query.get("role", "interviewee"),
        created_at=created,
    )


async def list_saved(session: AsyncSession, user: Authenticated) -> list[SavedSearchOut]:
    return [_out(row) for row in await repo.list_saved(session, user.user_id)]


async def add(session: AsyncSession, user: Authenticated, body: SavedSearchIn) -> SavedSearchOut:
    q = clean_query(body.q)
    for project_id in body.project_ids:
        await projects.require_access(session, user, project_id)
    if await repo.count_saved(session, user.user_id, lock=True) >= MAX_SAVED:
        raise Conflict(f"at most {MAX_SAVED} saved searches", code="too_many_saved_searches")
    row = {
        "id": uuid.uuid4(),
        "company_id": user.company_id,
        "user_id": user.user_id,
        "name": body.name.strip() or q[:200],
        "query": {
            "q": q,
            "project_ids": [str(p) for p in dict.fromkeys(body.project_ids)],
            "role": body.role,
        },
    }
    await repo.add_saved(session, row)
    return _out({**row, "created_at": dt.datetime.now(dt.UTC)})


async def remove(session: AsyncSession, user: Authenticated, saved_id: UUID) -> None:
    if not await repo.delete_saved(session, saved_id, user.user_id):
        raise NotFound("no such saved search", code="saved_search_not_found")
