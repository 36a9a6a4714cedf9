"""`/api/projects/{id}/insights` and the theme edit routes."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from persona_insight.accounts.deps import CtxDep
from persona_insight.insights import dashboard, service
from persona_insight.insights.filters import FiltersDep
from persona_insight.insights.schemas import (
    Dashboard,
    FindingMove,
    ProjectInsights,
    ThemeEdit,
    ThemeOut,
)
from persona_insight.projects.service import require_access

router = APIRouter(tags=["insights"])


@router.get(
    "/api/projects/{project_id}/insights",
    response_model=ProjectInsights,
    summary="Themes, counts, quotes and chart data across the project's interviews",
)
async def project_insights(
    project_id: UUID,
    ctx: CtxDep,
    filters: FiltersDep,
) -> Response:
    await require_access(ctx.session, ctx.user, project_id)
    found = await service.project_insights(ctx.session, project_id, filters=filters)
    # Serialised once here: handing the model back would have FastAPI validate the ~200 KB
    # answer again before serialising it.
    return Response(found.model_dump_json(), media_type="application/json")


@router.patch(
    "/api/insights/themes/{theme_id}",
    response_model=ThemeOut | None,
    summary="Rename, pin, hide or merge a theme (kept across recomputation)",
)
async def edit_theme(theme_id: UUID, body: ThemeEdit, ctx: CtxDep) -> ThemeOut | None:
    return await service.edit_theme(ctx.session, ctx.user, theme_id, body)


@router.post(
    "/api/projects/{project_id}/insights/moves",
    status_code=202,
    summary="Move a finding into another theme (applied by the queued recomputation)",
)
async def move_finding(project_id: UUID, body: FindingMove, ctx: CtxDep) -> Response:
    await service.move_finding(ctx.session, ctx.user, project_id, body)
    return Response(status_code=202)


@router.post(
    "/api/projects/{project_id}/insights/summary",
    status_code=202,
    summary="(Re)generate the project summary from its themes, as a job",
)
async def request_summary(project_id: UUID, ctx: CtxDep) -> Response:
    await service.request_summary(ctx.session, ctx.user, project_id)
    return Response(status_code=202)


@router.get(
    "/api/insights/dashboard",
    response_model=Dashboard,
    summary="Per year, the top themes across the projects the caller works in",
)
async def company_dashboard(ctx: CtxDep) -> Dashboard:
    return await dashboard.company_dashboard(ctx.session, ctx.user)
