"""Reports and exports of a project or an interview: build, render, audit.

Rendering (reportlab, python-docx, openpyxl) is CPU work of up to seconds for a large project; it
runs in a worker thread so the event loop keeps serving streams and other requests meanwhile.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.accounts.repository import Authenticated
from persona_insight.audit import service as audit
from persona_insight.errors import Conflict, InvalidInput
from persona_insight.insights import exports
from persona_insight.insights import repository as insights_repo
from persona_insight.insights import service as insights
from persona_insight.insights.report import build, docx, markdown, pdf, repository, sources
from persona_insight.insights.report.model import Document
from persona_insight.insights.schemas import InsightFilters, ProjectInsights
from persona_insight.interviews import service as interviews
from persona_insight.models.projects import Project
from persona_insight.projects import service as projects
from persona_insight.web import i18n

Gettext = Callable[..., str]
ReportFormat = Literal["docx", "pdf", "md"]
REPORT_FORMATS: tuple[ReportFormat, ...] = ("docx", "pdf", "md")
FINDINGS_FORMATS = exports.FORMATS
MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "md": "text/markdown; charset=utf-8",
} | exports.MEDIA_TYPES


@dataclass(frozen=True, slots=True)
class File:
    name: str
    media_type: str
    body: bytes


def check_format(value: str | None, allowed: tuple[str, ...]) -> str:
    """Checked after access, so a caller who may not see the project learns nothing (404)."""
    if value not in allowed:
        raise InvalidInput(
            f"format must be one of: {', '.join(allowed)}",
            code="unknown_format",
            details={"formats": list(allowed)},
        )
    return value


def file_name(title: str, label: str, extension: str) -> str:
    """`<title> – <label>.<ext>`, as the interview exports name theirs."""
    stem = "".join(c if c.isalnum() or c in " -_" else "_" for c in title).strip()
    return f"{stem or 'export'} – {label}.{extension}"


def _render_sync(doc: Document, fmt: str) -> bytes:
    if fmt == "pdf":
        return pdf.render(doc)
    if fmt == "docx":
        return docx.render(doc)
    return markdown.render(doc).encode("utf-8")


async def render(doc: Document, fmt: str) -> bytes:
    return await asyncio.to_thread(_render_sync, doc, fmt)


async def _audit(
    session: AsyncSession,
    user: Authenticated,
    *,
    company_id: UUID,
    target_type: str,
    target_id: UUID,
    fmt: str,
    ip: str | None,
    **details: object,
) -> None:
    await audit.record(
        session,
        "export",
        company_id=company_id,  # the data's company: its admins read the log
        actor_id=user.user_id,
        target_type=target_type,
        target_id=target_id,
        ip=ip,
        format=fmt,
        **details,
    )


async def _insights(
    session: AsyncSession, project_id: UUID, filters: InsightFilters
) -> ProjectInsights | None:
    """The project's themes, charts and summary; None until they were first computed (the
    report then says so rather than showing empty charts)."""
    found = await insights.project_insights(session, project_id, filters=filters)
    return found if found.computed_at is not None else None


async def _theme_labels(
    session: AsyncSession, project_id: UUID
) -> tuple[exports.ThemeOf, exports.SectionOf]:
    """(interview id, `pain:<i>` / `need:<i>`) → the label of the theme holding that finding,
    as the insights page names it (the researcher's label, else the computed one; a merged
    theme's findings under the theme it was merged into); and → its script section."""
    stored = await insights_repo.themes(session, project_id)
    edits = await insights_repo.edits(session, project_id)

    def label(theme_id: UUID) -> str:
        theme = by_id[theme_id]
        edit = edits.get(theme_id)
        if edit is not None and edit.label:
            return edit.label
        return str(theme.data.get("computed_label", theme.label))

    by_id = {t.id: t for t in stored}
    labels: dict[tuple[str, str], str] = {}
    sections: dict[tuple[str, str], str] = {}
    for theme in stored:
        edit = edits.get(theme.id)
        target = edit.merged_into if edit and edit.merged_into in by_id else theme.id
        assert target is not None
        for member in theme.data.get("members", []):
            labels[(str(member[0]), str(member[1]))] = label(target)
            if member[3]:
                sections[(str(member[0]), str(member[1]))] = str(member[3])
    return labels, sections


Kind = Literal["report", "findings"]


def formats(kind: Kind) -> tuple[str, ...]:
    return REPORT_FORMATS if kind == "report" else FINDINGS_FORMATS


def translator(locale: str) -> Gettext:
    """Messages in `locale`, with `%(name)s` parameters, as pages have them."""
    translations = i18n.translations(locale)

    def gettext(message: str, **params: object) -> str:
        text: str = translations.gettext(message)
        return text % params if params else text

    return gettext


@dataclass(frozen=True, slots=True)
class Loaded:
    """What a project report or findings export is made from, read in one transaction."""

    project_name: str
    analysed: list[sources.Analysed]
    insights: ProjectInsights | None
    themes: exports.ThemeOf
    filters: InsightFilters = field(default_factory=InsightFilters)
    sections: exports.SectionOf = field(default_factory=dict)


async def load(
    session: AsyncSession,
    project_id: UUID,
    project_name: str,
    kind: Kind,
    filters: InsightFilters | None = None,
) -> Loaded:
    filters = filters or InsightFilters()
    analysed = await sources.completed(session, project_id, filters)
    insights = (
        await _insights(session, project_id, filters) if analysed and kind == "report" else None
    )
    themes: exports.ThemeOf = {}
    sections: exports.SectionOf = {}
    if analysed and kind == "findings":
        themes, sections = await _theme_labels(session, project_id)
    return Loaded(project_name, analysed, insights, themes, filters, sections)


async def produce(loaded: Loaded, kind: Kind, fmt: str, *, locale: str, _: Gettext) -> File:
    """The file, rendered off the event loop; needs no database."""
    if kind == "findings":
        write = exports.as_xlsx if fmt == "xlsx" else exports.as_csv
        rows = exports.rows(
            loaded.analysed,
            loaded.themes,
            _,
            only_kind=loaded.filters.kind,
            section=loaded.filters.section,
            sections=loaded.sections,
        )
        body = await asyncio.to_thread(lambda: write(rows, _))
        return File(file_name(loaded.project_name, _("findings"), fmt), MEDIA_TYPES[fmt], body)
    doc = build.project_report(
        loaded.project_name,
        loaded.analysed,
        loaded.insights,
        locale=locale,
        generated_at=dt.datetime.now(dt.UTC),
        _=_,
        filtered=describe(loaded.filters, _),
    )
    body = await render(doc, fmt)
    return File(file_name(loaded.project_name, _("report"), fmt), MEDIA_TYPES[fmt], body)


def describe(filters: InsightFilters, _: Gettext) -> str | None:
    """The filter in words for the report's header; None when unfiltered."""
    if filters.empty:
        return None
    parts = []
    if filters.date_from or filters.date_to:
        span = f"{filters.date_from or '…'} – {filters.date_to or '…'}"
        parts.append(_("Interview dates: %(span)s") % {"span": span})
    if filters.persona is not None:
        parts.append(f"{_('Persona')}: {filters.persona or '—'}")
    if filters.language:
        parts.append(f"{_('Language')}: {filters.language}")
    if filters.kind:
        parts.append(_("Pain points") if filters.kind == "pain" else _("Needs"))
    if filters.section:
        parts.append(f"{_('Script section')}: {filters.section}")
    return "; ".join(parts)


async def audit_project_export(
    session: AsyncSession,
    user: Authenticated,
    project: Project,
    kind: Kind,
    fmt: str,
    ip: str | None,
    **details: object,
) -> None:
    await _audit(
        session,
        user,
        company_id=project.company_id,
        target_type="project",
        target_id=project.id,
        fmt=fmt,
        ip=ip,
        kind=kind,
        **details,
    )


async def project_file(
    session: AsyncSession,
    user: Authenticated,
    project_id: UUID,
    kind: Kind,
    requested: str | None,
    *,
    locale: str,
    _: Gettext,
    ip: str | None,
    filters: InsightFilters | None = None,
) -> File:
    """A project's report or findings, made within the request."""
    access = await projects.require_access(session, user, project_id)
    fmt = check_format(requested, formats(kind))
    loaded = await load(session, project_id, access.project.name, kind, filters)
    details: dict[str, object] = {"interviews": len(loaded.analysed)}
    if not loaded.filters.empty:
        details["filters"] = loaded.filters.model_dump(mode="json", exclude_none=True)
    await audit_project_export(session, user, access.project, kind, fmt, ip, **details)
    return await produce(loaded, kind, fmt, locale=locale, _=_)


async def interview_report(
    session: AsyncSession,
    user: Authenticated,
    interview_id: UUID,
    requested: str | None,
    *,
    locale: str,
    _: Gettext,
    ip: str | None,
) -> File:
    detail = await interviews.detail(session, user, interview_id)
    fmt = check_format(requested, REPORT_FORMATS)
    if detail.analysis is None:
        raise Conflict("the interview is not analysed yet", code="interview_not_analysed")
    access = await projects.require_access(session, user, detail.project_id)
    await _audit(
        session,
        user,
        company_id=access.project.company_id,
        target_type="interview",
        target_id=detail.id,
        fmt=fmt,
        ip=ip,
        project_id=str(detail.project_id),
    )
    doc = build.interview_report(
        detail.title, detail.interview_date, detail.analysis.result, locale=locale, _=_
    )
    body = await render(doc, fmt)
    return File(file_name(detail.title, _("analysis"), fmt), MEDIA_TYPES[fmt], body)


async def in_background(
    session: AsyncSession,
    user: Authenticated,
    project_id: UUID,
    *,
    asked: bool,
    above: int,
) -> bool:
    """Whether this project's report is made by a job: asked for, or too many interviews to make
    within a request. Access first, so an outsider learns nothing from the answer (404)."""
    await projects.require_access(session, user, project_id)
    return asked or await repository.completed_count(session, project_id) > above
