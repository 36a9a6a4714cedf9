"""SQL for the audit log (the application role may insert and read it, never change it)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from uuid import UUID

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.models import AuditEntry

_INSERT = text(
    "INSERT INTO audit_log (company_id, actor_id, action, target_type, target_id, details, ip)"
    " VALUES (:company_id, :actor_id, :action, :target_type, :target_id,"
    " CAST(:details AS jsonb), :ip)"
)


async def add(session: AsyncSession, values: dict[str, Any]) -> None:
    # Plain INSERT, no RETURNING: most callers may append to the log but not read it back.
    await session.execute(_INSERT, {**values, "details": json.dumps(values["details"])})


async def page(
    session: AsyncSession,
    *,
    company_id: UUID | None,
    before: int | None,
    limit: int,
    action: str | None,
) -> list[Any]:
    """Newest first. A company's entries carry their number within the company as `id` (given at
    commit, migration 0009), so that no company sees how many entries all the others wrote;
    across companies (super-admins) `id` is the log's own sequence."""
    number = AuditEntry.id if company_id is None else AuditEntry.company_seq
    columns = [c for c in AuditEntry.__table__.columns if c.name not in ("id", "company_seq")]
    stmt = select(number.label("id"), *columns).order_by(number.desc()).limit(limit)
    if company_id is not None:
        stmt = stmt.where(AuditEntry.company_id == company_id, number.is_not(None))
    if before is not None:
        stmt = stmt.where(number < before)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    return list((await session.execute(stmt)).all())


def since(days: int) -> dt.datetime:
    return dt.datetime.now(dt.UTC) - dt.timedelta(days=days)


async def titles(
    session: AsyncSession, interview_ids: set[UUID], project_ids: set[UUID]
) -> tuple[dict[str, str], dict[str, str]]:
    """What the entries point at, by name: interview titles and project names (row-level
    security limits both to what the reader's company may see; deleted ones still have names)."""
    from persona_insight.models import Interview, Project

    interviews: dict[str, str] = {}
    projects: dict[str, str] = {}
    if interview_ids:
        rows = await session.execute(
            select(Interview.id, Interview.title).where(Interview.id.in_(interview_ids))
        )
        interviews = {str(i): t for i, t in rows}
    if project_ids:
        rows = await session.execute(
            select(Project.id, Project.name).where(Project.id.in_(project_ids))
        )
        projects = {str(i): n for i, n in rows}
    return interviews, projects
