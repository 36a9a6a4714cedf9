"""Reports made in the background: asked for, made by a job with progress events, downloaded.

Each step commits on its own (asked; running and loaded; done or failed) with its event, and no
transaction stays open while the file renders. The file is kept in `report_jobs` until the next
report of the project is asked for a day later.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any
from uuid import UUID

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.accounts.repository import Authenticated
from persona_insight.db import Actor, Database, raw_connection
from persona_insight.errors import Conflict, NotFound
from persona_insight.ids import uuid7
from persona_insight.insights.report import repository as repo
from persona_insight.insights.report import service
from persona_insight.insights.report.schemas import ReportJobOut
from persona_insight.insights.schemas import InsightFilters
from persona_insight.jobs.queue import queue
from persona_insight.projects import service as projects
from persona_insight.realtime import events

log = logging.getLogger(__name__)

REPORT_TASK = "make_report"
REPORT_QUEUE = "analysis"
KEEP_FINISHED = dt.timedelta(days=1)
# Far beyond the longest report (seconds of work for 1,000 interviews): still queued or running
# by then, its worker is gone.
ABANDON_AFTER = dt.timedelta(minutes=30)


def to_out(row: Row[Any]) -> ReportJobOut:
    done = row.status == "done"
    return ReportJobOut(
        id=row.id,
        project_id=row.project_id,
        kind=row.kind,
        format=row.format,
        status=row.status,
        progress=row.progress,
        file_name=row.file_name if done else None,
        download_url=f"/api/reports/{row.id}/file" if done else None,
        error=row.error,
        filters=row.filters or None,
        created_at=row.created_at,
        finished_at=row.finished_at,
    )


def _payload(row: Row[Any]) -> dict[str, Any]:
    out = to_out(row)
    return {
        "job_id": str(out.id),
        "kind": out.kind,
        "format": out.format,
        "status": out.status,
        "progress": out.progress,
        "file_name": out.file_name,
        "download_url": out.download_url,
        "error": out.error,
    }


async def _emit(session: AsyncSession, row: Row[Any], type: str, actor: UUID | None) -> None:
    await events.append(
        session,
        project_id=row.project_id,
        company_id=row.company_id,
        type=type,
        data=_payload(row),
        actor_id=actor,
    )


async def request(
    session: AsyncSession,
    user: Authenticated,
    project_id: UUID,
    kind: service.Kind,
    requested: str | None,
    *,
    locale: str,
    filters: InsightFilters | None = None,
) -> ReportJobOut:
    """The job making this report: the one already queued or running for the project, kind,
    format and filter, else a new one (deferred in this transaction, so it exists iff the row
    does)."""
    access = await projects.require_access(session, user, project_id)
    fmt = service.check_format(requested, service.formats(kind))
    # Only the fields set, so equal filters are equal documents (the unique index compares them);
    # persona "" (interviews without one) is a value and stays.
    asked = (filters or InsightFilters()).model_dump(mode="json", exclude_none=True)
    now = dt.datetime.now(dt.UTC)
    # A job whose worker died (or whose reading failed) would hold the project's slot forever.
    await repo.abandon_stale_jobs(session, project_id, now - ABANDON_AFTER)
    running = await repo.active_job(session, project_id, kind, fmt, asked)
    if running is not None:
        return to_out(running)
    await repo.delete_old_jobs(session, project_id, now - KEEP_FINISHED)
    row = await repo.insert_job(
        session,
        {
            "id": uuid7(),
            "company_id": access.project.company_id,
            "project_id": project_id,
            "requested_by": user.user_id,
            "kind": kind,
            "format": fmt,
            "locale": locale,
            "filters": asked,
        },
    )
    if row is None:  # another request made it a moment ago
        running = await repo.active_job(session, project_id, kind, fmt, asked)
        if running is None:
            raise Conflict("the report finished meanwhile; ask again", code="report_finished")
        return to_out(running)
    raw = await raw_connection(session)
    await queue.configure_task(REPORT_TASK, connection=raw).defer_async(
        job_id=str(row.id), company_id=str(row.company_id)
    )
    await _emit(session, row, events.REPORT_PROGRESS, user.user_id)
    return to_out(row)


async def _job_in_reach(session: AsyncSession, user: Authenticated, job_id: UUID) -> Row[Any]:
    row = await repo.job(session, job_id)
    if row is not None:
        try:
            await projects.require_access(session, user, row.project_id)
        except NotFound:
            pass
        else:
            return row
    raise NotFound("no such report", code="report_not_found")


async def get(session: AsyncSession, user: Authenticated, job_id: UUID) -> ReportJobOut:
    return to_out(await _job_in_reach(session, user, job_id))


async def download(
    session: AsyncSession, user: Authenticated, job_id: UUID, ip: str | None
) -> service.File:
    """The finished file; audited here, when the data leaves."""
    row = await _job_in_reach(session, user, job_id)
    if row.status != "done":
        raise Conflict(f"the report is {row.status}", code="report_not_ready")
    body = await repo.job_file(session, job_id)
    access = await projects.require_access(session, user, row.project_id)
    await service.audit_project_export(
        session, user, access.project, row.kind, row.format, ip, job_id=str(job_id)
    )
    return service.File(row.file_name, row.media_type, body or b"")


async def _step(db: Database, company_id: UUID, job_id: UUID, **values: Any) -> Row[Any] | None:
    async with db.unit_of_work(Actor(company_id=company_id, role="system")) as session:
        await repo.update_job(session, job_id, **values)
        row = await repo.job(session, job_id)
        if row is not None:
            type = {"done": events.REPORT_READY, "failed": events.REPORT_FAILED}.get(
                str(values.get("status")), events.REPORT_PROGRESS
            )
            await _emit(session, row, type, None)
        return row


async def _start(
    db: Database, job_id: UUID, company_id: UUID
) -> tuple[Row[Any], service.Loaded] | None:
    """Mark the job running and read what it needs; None when there is nothing to do."""
    async with db.unit_of_work(Actor(company_id=company_id, role="system")) as session:
        row = await repo.job(session, job_id, lock=True)
        if row is None or row.status != "queued":
            return None  # done by a previous attempt, or its project is gone
        name = await repo.project_name(session, row.project_id)
        await repo.update_job(session, job_id, status="running", progress=10)
        filters = InsightFilters.model_validate(row.filters or {})
        loaded = await service.load(session, row.project_id, name or "", row.kind, filters)
        await repo.update_job(session, job_id, progress=40)
        row = await repo.job(session, job_id)
        assert row is not None
        await _emit(session, row, events.REPORT_PROGRESS, None)
        return row, loaded


async def run(db: Database, job_id: UUID, company_id: UUID) -> None:
    try:
        started = await _start(db, job_id, company_id)
    except Exception:
        log.exception("report %s could not read its project", job_id)
        await _step(db, company_id, job_id, status="failed", error="read_failed")
        return
    if started is None:
        return
    row, loaded = started
    try:
        file = await service.produce(
            loaded, row.kind, row.format, locale=row.locale, _=service.translator(row.locale)
        )
    except Exception:
        log.exception("report %s failed", job_id)
        await _step(db, company_id, job_id, status="failed", error="render_failed")
        return
    await _step(
        db,
        company_id,
        job_id,
        status="done",
        progress=100,
        file_name=file.name,
        media_type=file.media_type,
        body=file.body,
        finished_at=dt.datetime.now(dt.UTC),
    )
