"""`/api/search` and `/api/saved-searches`: hybrid search over every line the caller can read."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from persona_insight.accounts.deps import CtxDep
from persona_insight.search import saved, service
from persona_insight.search.schemas import (
    KINDS,
    MAX_QUERY,
    Kind,
    Mode,
    Role,
    SavedSearchIn,
    SavedSearchOut,
    SearchOut,
    SearchParams,
)

router = APIRouter(tags=["search"])


@router.get(
    "/api/search",
    response_model=SearchOut,
    summary="Search every line, finding, note, theme and knowledge document the caller can read",
)
async def search(
    ctx: CtxDep,
    # Bounded well above MAX_QUERY so that the service answers the precise 422.
    q: Annotated[str, Query(max_length=MAX_QUERY * 4)] = "",
    project_id: Annotated[list[UUID] | None, Query(max_length=50)] = None,
    interview_id: UUID | None = None,
    role: Role = "interviewee",
    persona: Annotated[str | None, Query(max_length=40)] = None,
    language: Annotated[str | None, Query(max_length=8)] = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    mode: Mode = "hybrid",
    limit: Annotated[int, Query(ge=1, le=service.MAX_LIMIT)] = 20,
    kind: Annotated[list[Kind] | None, Query(max_length=5)] = None,
) -> SearchOut:
    params = SearchParams(
        q=q,
        project_ids=project_id or [],
        interview_id=interview_id,
        role=role,
        persona=persona,
        language=language,
        date_from=date_from,
        date_to=date_to,
        mode=mode,
        limit=limit,
        kinds=kind or list(KINDS),
    )
    return await service.search(ctx.session, ctx.user, params, ctx.side_session)


@router.get(
    "/api/saved-searches",
    response_model=list[SavedSearchOut],
    summary="Your saved searches, newest first",
)
async def list_saved(ctx: CtxDep) -> list[SavedSearchOut]:
    return await saved.list_saved(ctx.session, ctx.user)


@router.post(
    "/api/saved-searches",
    status_code=201,
    response_model=SavedSearchOut,
    summary="Save a search under a name",
)
async def add_saved(body: SavedSearchIn, ctx: CtxDep) -> SavedSearchOut:
    return await saved.add(ctx.session, ctx.user, body)


@router.delete("/api/saved-searches/{saved_id}", status_code=204, summary="Forget a saved search")
async def delete_saved(saved_id: UUID, ctx: CtxDep) -> None:
    await saved.remove(ctx.session, ctx.user, saved_id)
