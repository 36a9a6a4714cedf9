"""What reports read: a project's completed, live interviews with their analyses."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import Date, Row, Text, cast, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.models.interviews import Interview, InterviewAnalysis


async def completed(
    session: AsyncSession,
    project_id: UUID,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    persona: str | None = None,
) -> Sequence[Row[UUID, str, dt.date | None, str | None, str | None, str]]:
    """Oldest interview first (by its date, then upload), as a report lists them; the
    transcripts themselves stay in the database (the analysis has the cleaned script).
    Dates filter on the interview date, else the upload day (as the insights count them);
    persona "" means interviews without one."""
    query = (
        select(
            Interview.id,
            Interview.title,
            Interview.interview_date,
            Interview.persona_code,
            Interview.language,
            # As text: pydantic parses and validates the JSON in one pass, several times faster
            # than psycopg decoding it to dicts first (a 1,000-interview report reads ~20 MB).
            cast(InterviewAnalysis.result, Text).label("result_json"),
        )
        .join(InterviewAnalysis, InterviewAnalysis.interview_id == Interview.id)
        .where(
            Interview.project_id == project_id,
            Interview.status == "completed",
            Interview.deleted_at.is_(None),
        )
        .order_by(Interview.interview_date.asc().nulls_last(), Interview.created_at, Interview.id)
    )
    day = func.coalesce(Interview.interview_date, cast(Interview.created_at, Date))
    if date_from is not None:
        query = query.where(day >= date_from)
    if date_to is not None:
        query = query.where(day <= date_to)
    if persona is not None:
        query = query.where(
            Interview.persona_code.is_(None) | (Interview.persona_code == "")
            if persona == ""
            else Interview.persona_code == persona
        )
    return (await session.execute(query)).all()


# --- report jobs (migrations 0020, 0027) ------------------------------------------------------

_JOB_COLUMNS = (
    "id, company_id, project_id, requested_by, kind, format, locale, status, progress,"
    " file_name, media_type, error, created_at, finished_at, filters"
)


async def active_job(
    session: AsyncSession, project_id: UUID, kind: str, fmt: str, filters: dict[str, Any]
) -> Row[Any] | None:
    query = text(
        f"SELECT {_JOB_COLUMNS} FROM report_jobs"  # noqa: S608 (constant columns)
        " WHERE project_id = :project AND kind = :kind AND format = :format"
        " AND filters = CAST(:filters AS jsonb) AND status IN ('queued', 'running')"
    )
    params = {"project": project_id, "kind": kind, "format": fmt, "filters": json.dumps(filters)}
    return (await session.execute(query, params)).first()


async def insert_job(session: AsyncSession, values: dict[str, Any]) -> Row[Any] | None:
    """The new job, or None when one for the same project, kind, format and filter is already
    active (the partial unique index decides, so two requests at once make one job)."""
    query = text(
        "INSERT INTO report_jobs"  # noqa: S608 (constant columns)
        " (id, company_id, project_id, requested_by, kind, format, locale, filters)"
        " VALUES (:id, :company_id, :project_id, :requested_by, :kind, :format, :locale,"
        " CAST(:filters AS jsonb))"
        " ON CONFLICT (project_id, kind, format, filters) WHERE status IN ('queued', 'running')"
        f" DO NOTHING RETURNING {_JOB_COLUMNS}"
    )
    return (
        await session.execute(query, {**values, "filters": json.dumps(values["filters"])})
    ).first()


async def delete_old_jobs(session: AsyncSession, project_id: UUID, before: dt.datetime) -> None:
    await session.execute(
        text(
            "DELETE FROM report_jobs WHERE project_id = :project AND created_at < :before"
            " AND status IN ('done', 'failed')"
        ),
        {"project": project_id, "before": before},
    )


async def abandon_stale_jobs(session: AsyncSession, project_id: UUID, before: dt.datetime) -> None:
    await session.execute(
        text(
            "UPDATE report_jobs SET status = 'failed', error = 'abandoned', finished_at = now()"
            " WHERE project_id = :project AND status IN ('queued', 'running')"
            " AND created_at < :before"
        ),
        {"project": project_id, "before": before},
    )


async def job(session: AsyncSession, job_id: UUID, *, lock: bool = False) -> Row[Any] | None:
    query = f"SELECT {_JOB_COLUMNS} FROM report_jobs WHERE id = :id"  # noqa: S608 (constant)
    if lock:
        query += " FOR UPDATE"
    return (await session.execute(text(query), {"id": job_id})).first()


async def job_file(session: AsyncSession, job_id: UUID) -> bytes | None:
    query = text("SELECT body FROM report_jobs WHERE id = :id")
    body = (await session.execute(query, {"id": job_id})).scalar_one_or_none()
    return bytes(body) if body is not None else None


async def update_job(session: AsyncSession, job_id: UUID, **values: Any) -> None:
    columns = ", ".join(f"{name} = :{name}" for name in values)
    await session.execute(
        text(f"UPDATE report_jobs SET {columns} WHERE id = :id"),  # noqa: S608 (names are ours)
        {"id": job_id, **values},
    )


async def project_name(session: AsyncSession, project_id: UUID) -> str | None:
    query = text("SELECT name FROM projects WHERE id = :id")
    name: str | None = (await session.execute(query, {"id": project_id})).scalar_one_or_none()
    return name


async def completed_count(session: AsyncSession, project_id: UUID) -> int:
    query = text(
        "SELECT count(*) FROM interviews WHERE project_id = :id AND status = 'completed'"
        " AND deleted_at IS NULL"
    )
    count: int = (await session.execute(query, {"id": project_id})).scalar_one()
    return count
