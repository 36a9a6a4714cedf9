"""Report and export downloads: a project's report, its findings, one interview's analysis."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response

from persona_insight.accounts.deps import CtxDep
from persona_insight.accounts.routes import client_ip
from persona_insight.insights.report import service
from persona_insight.interviews.routes import content_disposition
from persona_insight.web import i18n

router = APIRouter(tags=["reports"])

_REPORT_FORMAT = Query(default=None, description="`docx`, `pdf` or `md`.")
_FINDINGS_FORMAT = Query(default=None, description="`xlsx` or `csv`.")


def _gettext(request: Request, profile_locale: str | None) -> tuple[str, Callable[..., str]]:
    """The caller's language (language cookie, profile, Accept-Language), as pages choose it."""
    locale = i18n.negotiate(request, profile_locale)
    translations = i18n.translations(locale)

    def gettext(message: str, **params: object) -> str:
        text: str = translations.gettext(message)
        return text % params if params else text

    return locale, gettext


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


_FILE: dict[int | str, dict[str, Any]] = {
    200: {"content": {t: {} for t in sorted(set(service.MEDIA_TYPES.values()))}}
}


@router.get(
    "/api/projects/{project_id}/report",
    summary="The project report: summary, method and sample, charts, themes, interviews",
    response_class=Response,
    responses=_FILE,
)
async def project_report(
    project_id: UUID, request: Request, ctx: CtxDep, format: str | None = _REPORT_FORMAT
) -> Response:
    locale, _ = _gettext(request, ctx.user.locale)
    file = await service.project_report(
        ctx.session, ctx.user, project_id, format, locale=locale, _=_, ip=client_ip(request)
    )
    return download(file)


@router.get(
    "/api/projects/{project_id}/findings",
    summary="Every finding of the project, one row each (XLSX or CSV)",
    response_class=Response,
    responses=_FILE,
)
async def project_findings(
    project_id: UUID, request: Request, ctx: CtxDep, format: str | None = _FINDINGS_FORMAT
) -> Response:
    _locale, _ = _gettext(request, ctx.user.locale)
    file = await service.project_findings(
        ctx.session, ctx.user, project_id, format, _=_, ip=client_ip(request)
    )
    return download(file)


@router.get(
    "/api/interviews/{interview_id}/report",
    summary="One interview's analysis as DOCX, PDF or Markdown",
    response_class=Response,
    responses=_FILE,
)
async def interview_report(
    interview_id: UUID, request: Request, ctx: CtxDep, format: str | None = _REPORT_FORMAT
) -> Response:
    locale, _ = _gettext(request, ctx.user.locale)
    file = await service.interview_report(
        ctx.session, ctx.user, interview_id, format, locale=locale, _=_, ip=client_ip(request)
    )
    return download(file)
