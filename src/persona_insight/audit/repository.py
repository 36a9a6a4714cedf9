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
) -> list[AuditEntry]:
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if company_id is not None:
        stmt = stmt.where(AuditEntry.company_id == company_id)
    if before is not None:
        stmt = stmt.where(AuditEntry.id < before)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    return list((await session.execute(stmt)).scalars())


def since(days: int) -> dt.datetime:
    return dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
