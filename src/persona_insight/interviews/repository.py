"""SQL for interviews and their analyses."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from uuid import UUID

from sqlalchemy import Date, and_, cast, delete, func, or_, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.db import driver_sql, raw_connection
from persona_insight.jobs.queue import DEFER_ONE
from persona_insight.models import Interview, InterviewAnalysis
from persona_insight.realtime.events import APPEND_CTES, appended

_COLUMNS = [c.name for c in Interview.__table__.columns]
_JSON_COLUMNS = frozenset({"error", "speaker_roles"})
_VALUES = [f"CAST(:i_{c} AS jsonb)" if c in _JSON_COLUMNS else f":i_{c}" for c in _COLUMNS]
# A new interview, its `interview:added` event and its analysis job: one statement, one round
# trip (this is the upload path, measured in bench/pipeline.py). It runs on psycopg itself,
# inside the session's transaction: SQLAlchemy's execution machinery was a third of the
# request's CPU in that benchmark's profile. Composed of constants only; every value is a bound
# parameter (written `:name` like the fragments it shares, converted by `driver_sql`).
_CREATE = driver_sql(
    f"""
    WITH ins AS (
        INSERT INTO interviews ({", ".join(_COLUMNS)})
        VALUES ({", ".join(_VALUES)})
        RETURNING id
    ), job AS (
        SELECT {DEFER_ONE} AS ids FROM ins
    ), {APPEND_CTES}
    SELECT e.seq, job.ids FROM e, job
    """  # noqa: S608
)


async def create(
    session: AsyncSession, interview: Interview, *, event: dict[str, Any], job: dict[str, Any]
) -> None:
    """Insert a fully built interview with its event and job."""
    values = {f"i_{c}": getattr(interview, c) for c in _COLUMNS}
    for column in _JSON_COLUMNS:
        value = getattr(interview, column)
        values[f"i_{column}"] = json.dumps(value) if value is not None else None
    conn = await raw_connection(session)
    await conn.execute(_CREATE, values | event | job)
    appended()


async def add(session: AsyncSession, row: object) -> None:
    session.add(row)
    await session.flush()


async def get(session: AsyncSession, interview_id: UUID, *, lock: bool = False) -> Interview | None:
    stmt = select(Interview).where(Interview.id == interview_id)
    if lock:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def page(
    session: AsyncSession,
    project_id: UUID,
    *,
    deleted: bool,
    status: str | None,
    after: tuple[dt.datetime, UUID] | None,
    limit: int,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> list[Interview]:
    stmt = select(Interview).where(Interview.project_id == project_id)
    stmt = stmt.where(
        Interview.deleted_at.is_not(None) if deleted else Interview.deleted_at.is_(None)
    )
    if status:
        stmt = stmt.where(Interview.status == status)
    day = func.coalesce(Interview.interview_date, cast(Interview.created_at, Date))
    if date_from is not None:
        stmt = stmt.where(day >= date_from)
    if date_to is not None:
        stmt = stmt.where(day <= date_to)
    if after is not None:
        created, ident = after
        stmt = stmt.where(
            or_(
                Interview.created_at < created,
                and_(Interview.created_at == created, Interview.id < ident),
            )
        )
    stmt = stmt.order_by(Interview.created_at.desc(), Interview.id.desc()).limit(limit)
    return list((await session.execute(stmt)).scalars())


async def analysis_of(session: AsyncSession, interview_id: UUID) -> InterviewAnalysis | None:
    return await session.get(InterviewAnalysis, interview_id)


async def save_analysis(session: AsyncSession, values: dict[str, Any]) -> None:
    stmt = insert(InterviewAnalysis).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=[InterviewAnalysis.interview_id],
        set_={k: stmt.excluded[k] for k in values if k != "interview_id"}
        | {"created_at": func.now()},
    )
    await session.execute(stmt)


async def replace_terms(session: AsyncSession, interview: Interview, terms: list[str]) -> None:
    await session.execute(
        text("DELETE FROM interview_terms WHERE interview_id = :i"), {"i": interview.id}
    )
    if terms:
        await session.execute(
            text(
                "INSERT INTO interview_terms (interview_id, company_id, term)"
                " SELECT :i, :c, t FROM unnest(CAST(:terms AS text[])) AS t ON CONFLICT DO NOTHING"
            ),
            {"i": interview.id, "c": interview.company_id, "terms": sorted(set(terms))},
        )


# The company's vocabulary (below) counts only live interviews: a trashed interview, or one in a
# trashed project, must stop shaping the keywords, section names and takeaways of new analyses.
async def term_frequencies(
    session: AsyncSession, company_id: UUID, *, exclude: UUID
) -> tuple[dict[str, int], int]:
    rows = await session.execute(
        text(
            "SELECT term, count(*) AS n FROM interview_terms t"
            " JOIN interviews i ON i.id = t.interview_id AND i.deleted_at IS NULL"
            " JOIN projects p ON p.id = i.project_id AND p.deleted_at IS NULL"
            " WHERE t.company_id = :c AND t.interview_id <> :x GROUP BY term"
        ),
        {"c": company_id, "x": exclude},
    )
    df = {r.term: r.n for r in rows}
    total = (
        await session.execute(
            text(
                "SELECT count(DISTINCT t.interview_id) FROM interview_terms t"
                " JOIN interviews i ON i.id = t.interview_id AND i.deleted_at IS NULL"
                " JOIN projects p ON p.id = i.project_id AND p.deleted_at IS NULL"
                " WHERE t.company_id = :c AND t.interview_id <> :x"
            ),
            {"c": company_id, "x": exclude},
        )
    ).scalar_one()
    return df, int(total)


async def company_vocabulary(
    session: AsyncSession, company_id: UUID, *, limit: int = 50
) -> tuple[list[str], list[str]]:
    """Section names and key takeaways already used in the company, most frequent first."""
    sections = await session.execute(
        text(
            """
            SELECT s->>'sector_name' AS name, count(*) AS n
            FROM interview_analyses a
            JOIN interviews i ON i.id = a.interview_id AND i.deleted_at IS NULL
            JOIN projects p ON p.id = i.project_id AND p.deleted_at IS NULL,
                 jsonb_array_elements(a.result->'script_sections') s
            WHERE a.company_id = :c GROUP BY 1 ORDER BY n DESC, 1 LIMIT :l
            """
        ),
        {"c": company_id, "l": limit},
    )
    takeaways = await session.execute(
        text(
            """
            SELECT t AS takeaway, count(*) AS n
            FROM interview_analyses a
            JOIN interviews i ON i.id = a.interview_id AND i.deleted_at IS NULL
            JOIN projects p ON p.id = i.project_id AND p.deleted_at IS NULL,
                 jsonb_array_elements_text(a.result->'key_takeaways') t
            WHERE a.company_id = :c GROUP BY 1 ORDER BY n DESC, 1 LIMIT :l
            """
        ),
        {"c": company_id, "l": limit},
    )
    return [r.name for r in sections if r.name], [r.takeaway for r in takeaways]


async def stuck(
    session: AsyncSession, *, older_than_s: float, limit: int = 100
) -> list[tuple[UUID, UUID]]:
    """Interviews (of every company) waiting for analysis with no job queued or running."""
    rows = await session.execute(
        text("SELECT id, company_id FROM pi_stuck_interviews(:age, :limit)"),
        {"age": older_than_s, "limit": limit},
    )
    return [(r.id, r.company_id) for r in rows]


async def expired_trash(
    session: AsyncSession, *, default_days: int, limit: int = 100
) -> list[tuple[UUID, UUID]]:
    """Trashed interviews (of every company) past their company's retention, oldest first."""
    rows = await session.execute(
        text("SELECT id, company_id FROM pi_expired_trash(:days, :limit)"),
        {"days": default_days, "limit": limit},
    )
    return [(r.id, r.company_id) for r in rows]


async def purge_analysis(session: AsyncSession, interview_id: UUID) -> None:
    await session.execute(
        delete(InterviewAnalysis).where(InterviewAnalysis.interview_id == interview_id)
    )


async def remove(session: AsyncSession, interview: Interview) -> None:
    await session.delete(interview)
    await session.flush()
