"""Report and export downloads: a project's report, its findings, one interview's analysis, and
the background jobs that make large ones."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from persona_insight.accounts.deps import CtxDep
from persona_insight.accounts.routes import client_ip
from persona_insight.insights.filters import FiltersDep
from persona_insight.insights.report import jobs, service
from persona_insight.insights.report.schemas import ReportJobAccepted, ReportJobOut
from persona_insight.insights.schemas import InsightFilters
from persona_insight.interviews.routes import content_disposition
from persona_insight.web import i18n

router = APIRouter(tags=["reports"])

_REPORT_FORMAT = Query(default=None, description="`docx`, `pdf` or `md`.")
_FINDINGS_FORMAT = Query(default=None, description="`xlsx` or `csv`.")
_BACKGROUND = Query(
    default=False,
    description="Make it in a background job (202 with the job) whatever the project's size.",
)
_FILE: dict[int | str, dict[str, Any]] = {
    200: {"content": {t: {} for t in sorted(set(service.MEDIA_TYPES.values()))}},
    202: {"model": ReportJobAccepted, "description": "Made by a job: follow it."},
}


def download(file: service.File) -> Response:
    return Response(
        file.body,
        media_type=file.media_type,
        headers={
            "Content-Disposition": content_disposition(file.name),
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


async def _project(
    kind: service.Kind,
    project_id: UUID,
    request: Request,
    ctx: CtxDep,
    requested: str | None,
    background: bool,
    filters: InsightFilters,
) -> Response:
    # The caller's language (language cookie, profile, Accept-Language), as pages choose it.
    locale = i18n.negotiate(request, ctx.user.locale)
    above = ctx.rt.settings.report_background_above
    if await service.in_background(
        ctx.session, ctx.user, project_id, asked=background, above=above
    ):
        job = await jobs.request(
            ctx.session, ctx.user, project_id, kind, requested, locale=locale, filters=filters
        )
        return JSONResponse(
            ReportJobAccepted(job=job).model_dump(mode="json"),
            status_code=202,
            headers={"Location": f"/api/reports/{job.id}"},
        )
    file = await service.project_file(
        ctx.session,
        ctx.user,
        project_id,
        kind,
        requested,
        locale=locale,
        _=service.translator(locale),
        ip=client_ip(request),
        filters=filters,
    )
    return download(file)


@router.get(
    "/api/projects/{project_id}/report",
    summary="The project report: summary, method and sample, charts, themes, interviews",
    response_class=Response,
    responses=_FILE,
)
async def project_report(
    project_id: UUID,
    request: Request,
    ctx: CtxDep,
    filters: FiltersDep,
    format: str | None = _REPORT_FORMAT,
    background: bool = _BACKGROUND,
) -> Response:
    return await _project("report", project_id, request, ctx, format, background, filters)


@router.get(
    "/api/projects/{project_id}/findings",
    summary="Every finding of the project, one row each (XLSX or CSV)",
    response_class=Response,
    responses=_FILE,
)
async def project_findings(
    project_id: UUID,
    request: Request,
    ctx: CtxDep,
    filters: FiltersDep,
    format: str | None = _FINDINGS_FORMAT,
    background: bool = _BACKGROUND,
) -> Response:
    return await _project("findings", project_id, request, ctx, format, background, filters)


@router.get(
    "/api/reports/{job_id}",
    response_model=ReportJobOut,
    summary="A report job: status, progress and, once done, its download link",
)
async def report_job(job_id: UUID, ctx: CtxDep) -> ReportJobOut:
    return await jobs.get(ctx.session, ctx.user, job_id)


@router.get(
    "/api/reports/{job_id}/file",
    summary="The file a finished report job made",
    response_class=Response,
    responses={200: _FILE[200]},
)
async def report_file(job_id: UUID, request: Request, ctx: CtxDep) -> Response:
    return download(await jobs.download(ctx.session, ctx.user, job_id, client_ip(request)))


@router.get(
    "/api/interviews/{interview_id}/report",
    summary="One interview's analysis as DOCX, PDF or Markdown",
    response_class=Response,
    responses={200: _FILE[200]},
)
async def interview_report(
    interview_id: UUID, request: Request, ctx: CtxDep, format: str | None = _REPORT_FORMAT
) -> Response:
    locale = i18n.negotiate(request, ctx.user.locale)
    file = await service.interview_report(
        ctx.session,
        ctx.user,
        interview_id,
        format,
        locale=locale,
        _=service.translator(locale),
        ip=client_ip(request),
    )
    return download(file)
