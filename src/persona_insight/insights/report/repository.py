"""What reports read: a project's completed, live interviews with their analyses."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.models.interviews import Interview, InterviewAnalysis


async def completed(session: AsyncSession, project_id: UUID) -> Sequence[Row[Any]]:
    """Oldest interview first (by its date, then upload), as a report lists them; the
    transcripts themselves stay in the database (the analysis has the cleaned script)."""
    query = (
        select(
            Interview.id,
            Interview.title,
            Interview.interview_date,
            Interview.persona_code,
            Interview.language,
            InterviewAnalysis.result,
        )
        .join(InterviewAnalysis, InterviewAnalysis.interview_id == Interview.id)
        .where(
            Interview.project_id == project_id,
            Interview.status == "completed",
            Interview.deleted_at.is_(None),
        )
        .order_by(Interview.interview_date.asc().nulls_last(), Interview.created_at, Interview.id)
    )
    return (await session.execute(query)).all()
