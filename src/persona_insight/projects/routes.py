"""`/api/projects`: create, list and read projects."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from persona_insight.accounts.deps import CtxDep
from persona_insight.projects import service
from persona_insight.projects.schemas import ProjectCreate, ProjectList, ProjectOut

router = APIRouter(prefix="/api/projects", tags=["projects"])


@router.post("", status_code=201, response_model=ProjectOut, summary="Create a project")
async def create_project(body: ProjectCreate, ctx: CtxDep) -> ProjectOut:
    project = await service.create(ctx.session, ctx.user, body)
    return service.to_out(project, "owner")


@router.get("", response_model=ProjectList, summary="Projects I belong to and public ones")
async def list_projects(
    ctx: CtxDep,
    q: Annotated[str | None, Query(max_length=200)] = None,
    mine: bool = False,
) -> ProjectList:
    return ProjectList(
        items=await service.list_visible(ctx.session, ctx.user, search=q, mine_only=mine)
    )


@router.get("/{project_id}", response_model=ProjectOut, summary="One project")
async def get_project(project_id: UUID, ctx: CtxDep) -> ProjectOut:
    return await service.get_visible(ctx.session, ctx.user, project_id)
