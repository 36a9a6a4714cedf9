"""SQL for insights: the inputs of a recomputation, themes, memberships, edits, state."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.models.insights import InsightState, InsightTheme, InsightThemeEdit

_LIVE = "i.project_id = :p AND i.status = 'completed' AND i.deleted_at IS NULL"


@dataclass(frozen=True, slots=True)
class InterviewInput:
    id: UUID
    title: str
    date: dt.date
    persona: str | None
    language: str | None
    analysed_at: dt.datetime
    pains: list[dict[str, Any]]
    needs: list[dict[str, Any]]
    sections: list[dict[str, Any]]
    keywords: list[dict[str, Any]]
    # source line id → [text, speaker name, start_ms, sentiment] of the line holding it
    lines: dict[str, list[Any]]


async def marks(session: AsyncSession, project_id: UUID) -> list[tuple[UUID, str]]:
    """(interview id, analysis time + what filters read) of the project's live, completed
    interviews: the inputs' identity, cheap to read, for the fingerprint."""
    rows = await session.execute(
        text(
            "SELECT i.id, concat_ws('|', a.created_at, i.persona_code, i.interview_date,"  # noqa: S608
            f" i.language, md5(i.title)) FROM interviews i"
            f" JOIN interview_analyses a ON a.interview_id = i.id WHERE {_LIVE} ORDER BY i.id"
        ),
        {"p": project_id},
    )
    return [(r[0], r[1]) for r in rows]


async def inputs(
    session: AsyncSession, project_id: UUID, *, only: Sequence[UUID] | None = None
) -> list[InterviewInput]:
    """The live interviews' analyses (`only` these interviews when given)."""
    where = _LIVE if only is None else _LIVE + " AND i.id = ANY(:only)"
    params: dict[str, Any] = {"p": project_id}
    if only is not None:
        params["only"] = list(only)
    rows = await session.execute(
        text(
            f"""
            SELECT i.id, i.title, coalesce(i.interview_date, i.created_at::date) AS day,
                   i.persona_code, i.language, a.created_at AS analysed_at,
                   coalesce(a.result->'primary_pain_points', '[]') AS pains,
                   coalesce(a.result->'primary_needs', '[]') AS needs,
                   coalesce(a.result->'script_sections', '[]') AS sections,
                   coalesce(a.result->'keywords', '[]') AS keywords,
                   (SELECT coalesce(jsonb_object_agg(n, jsonb_build_array(
                               l->>'cleaned_sentence', l->>'speaker_name',
                               l->'start_ms', l->>'sentiment')), '{{}}')
                      FROM jsonb_array_elements(a.result->'cleaned_script') l,
                           jsonb_array_elements_text(l->'id') n
                     WHERE l->>'speaker' = 'answer') AS lines
            FROM interviews i JOIN interview_analyses a ON a.interview_id = i.id
            WHERE {where} ORDER BY i.id
            """  # noqa: S608 (constant)
        ),
        params,
    )
    return [
        InterviewInput(
            id=r.id,
            title=r.title,
            date=r.day,
            persona=r.persona_code,
            language=r.language,
            analysed_at=r.analysed_at,
            pains=r.pains,
            needs=r.needs,
            sections=r.sections,
            keywords=r.keywords,
            lines=r.lines,
        )
        for r in rows
    ]


async def state(
    session: AsyncSession, project_id: UUID, *, lock: bool = False
) -> InsightState | None:
    stmt = select(InsightState).where(InsightState.project_id == project_id)
    if lock:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def ensure_state(session: AsyncSession, project_id: UUID, company_id: UUID) -> InsightState:
    """The project's state row, created if missing, locked: recomputations of one project run
    one after the other."""
    await session.execute(
        insert(InsightState)
        .values(project_id=project_id, company_id=company_id)
        .on_conflict_do_nothing(index_elements=["project_id"])
    )
    found = await state(session, project_id, lock=True)
    assert found is not None
    return found


async def themes(
    session: AsyncSession, project_id: UUID, *, include_retired: bool = False
) -> list[InsightTheme]:
    stmt = select(InsightTheme).where(InsightTheme.project_id == project_id)
    if not include_retired:
        stmt = stmt.where(InsightTheme.retired_at.is_(None))
    # populate_existing: rows rewritten by the bulk upsert must not come back stale from the
    # session's identity map.
    stmt = stmt.order_by(InsightTheme.id).execution_options(populate_existing=True)
    return list((await session.execute(stmt)).scalars())


async def themes_without_quotes(session: AsyncSession, project_id: UUID) -> list[InsightTheme]:
    """Live themes with their members but not their quotes (most of the stored bytes), as
    detached rows: what the compact `insights:updated` is made from."""
    rows = await session.execute(
        text(
            "SELECT id, company_id, project_id, kind, label, data - 'quotes' AS data,"
            " created_at, updated_at FROM insight_themes"
            " WHERE project_id = :p AND retired_at IS NULL ORDER BY id"
        ),
        {"p": project_id},
    )
    return [
        InsightTheme(
            id=r.id,
            company_id=r.company_id,
            project_id=r.project_id,
            kind=r.kind,
            label=r.label,
            data=r.data,
            created_at=r.created_at,
            updated_at=r.updated_at,
            retired_at=None,
        )
        for r in rows
    ]


async def theme(session: AsyncSession, theme_id: UUID) -> InsightTheme | None:
    return await session.get(InsightTheme, theme_id)


async def memberships(session: AsyncSession, project_id: UUID) -> dict[tuple[UUID, str], UUID]:
    rows = await session.execute(
        text("SELECT interview_id, ref, theme_id FROM insight_theme_members WHERE project_id = :p"),
        {"p": project_id},
    )
    return {(r[0], r[1]): r[2] for r in rows}


async def replace_memberships(
    session: AsyncSession,
    project_id: UUID,
    company_id: UUID,
    rows: Sequence[tuple[UUID, UUID, str]],
) -> None:
    """(theme id, interview id, ref) rows replace the project's memberships."""
    await session.execute(
        text("DELETE FROM insight_theme_members WHERE project_id = :p"), {"p": project_id}
    )
    await add_memberships(session, project_id, company_id, rows)


async def add_memberships(
    session: AsyncSession,
    project_id: UUID,
    company_id: UUID,
    rows: Sequence[tuple[UUID, UUID, str]],
) -> None:
    """(theme id, interview id, ref) rows added to the project's memberships."""
    if rows:
        await session.execute(
            text(
                "INSERT INTO insight_theme_members (theme_id, company_id, project_id,"
                " interview_id, ref) SELECT t, :c, :p, i, r"
                " FROM unnest(CAST(:t AS uuid[]), CAST(:i AS uuid[]), CAST(:r AS text[]))"
                " AS u(t, i, r)"
            ),
            {
                "c": company_id,
                "p": project_id,
                "t": [r[0] for r in rows],
                "i": [r[1] for r in rows],
                "r": [r[2] for r in rows],
            },
        )


async def themes_by_id(session: AsyncSession, theme_ids: Sequence[UUID]) -> list[InsightTheme]:
    if not theme_ids:
        return []
    stmt = (
        select(InsightTheme)
        .where(InsightTheme.id.in_(list(theme_ids)))
        .execution_options(populate_existing=True)
    )
    return list((await session.execute(stmt)).scalars())


async def model(session: AsyncSession, project_id: UUID) -> bytes | None:
    """The incremental model the last full recomputation left (insights/incremental.py)."""
    found: bytes | None = await session.scalar(
        text("SELECT model FROM insight_state WHERE project_id = :p"), {"p": project_id}
    )
    return found


async def save_model(session: AsyncSession, project_id: UUID, data: bytes | None) -> None:
    await session.execute(
        text("UPDATE insight_state SET model = :m WHERE project_id = :p"),
        {"m": data, "p": project_id},
    )


async def upsert_themes(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    stmt = insert(InsightTheme).values(list(rows))
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["id"],
            set_={
                "label": stmt.excluded.label,
                "data": stmt.excluded.data,
                "updated_at": stmt.excluded.updated_at,
                "retired_at": None,
            },
        )
    )


async def retire(session: AsyncSession, theme_ids: Sequence[UUID], at: dt.datetime) -> None:
    if theme_ids:
        await session.execute(
            update(InsightTheme).where(InsightTheme.id.in_(theme_ids)).values(retired_at=at)
        )


async def edits(session: AsyncSession, project_id: UUID) -> dict[UUID, InsightThemeEdit]:
    rows = await session.execute(
        select(InsightThemeEdit).where(InsightThemeEdit.project_id == project_id)
    )
    return {e.theme_id: e for e in rows.scalars()}


async def edit_for(session: AsyncSession, theme: InsightTheme) -> InsightThemeEdit:
    found = await session.get(InsightThemeEdit, theme.id, with_for_update=True)
    if found is None:
        found = InsightThemeEdit(
            theme_id=theme.id,
            company_id=theme.company_id,
            project_id=theme.project_id,
            pinned=False,
            hidden=False,
        )
        session.add(found)
    return found


async def moves(session: AsyncSession, project_id: UUID) -> dict[tuple[UUID, str], UUID]:
    rows = await session.execute(
        text("SELECT interview_id, ref, theme_id FROM insight_finding_moves WHERE project_id = :p"),
        {"p": project_id},
    )
    return {(r[0], r[1]): r[2] for r in rows}


async def add_move(
    session: AsyncSession,
    *,
    company_id: UUID,
    project_id: UUID,
    interview_id: UUID,
    ref: str,
    theme_id: UUID,
    user_id: UUID | None,
) -> None:
    await session.execute(
        text(
            "INSERT INTO insight_finding_moves (company_id, project_id, interview_id, ref,"
            " theme_id, moved_by) VALUES (:c, :p, :i, :r, :t, :u)"
            " ON CONFLICT (project_id, interview_id, ref) DO UPDATE"
            " SET theme_id = excluded.theme_id, moved_by = excluded.moved_by, moved_at = now()"
        ),
        {
            "c": company_id,
            "p": project_id,
            "i": interview_id,
            "r": ref,
            "t": theme_id,
            "u": user_id,
        },
    )


async def bump_edit_version(session: AsyncSession, project_id: UUID, company_id: UUID) -> None:
    found = await ensure_state(session, project_id, company_id)
    found.edit_version += 1
    await session.flush()


async def analysis_result(session: AsyncSession, interview_id: UUID) -> dict[str, Any]:
    found: dict[str, Any] = await session.scalar(
        text("SELECT result FROM interview_analyses WHERE interview_id = :i"), {"i": interview_id}
    )
    return found


@dataclass(frozen=True, slots=True)
class TakeawayCount:
    year: int
    text: str
    interviews: int
    project_ids: list[UUID]
    # The most recent interview saying it, for a link.
    example_id: UUID
    example_title: str


async def takeaways_by_year(
    session: AsyncSession, project_ids: Sequence[UUID], *, per_year: int
) -> list[TakeawayCount]:
    """The key takeaways most interviews of `project_ids` recorded, `per_year` per interview
    year (the interview date, else its upload day, as the insights count them). Takeaways are
    counted by their exact text: the analysis is given the company's earlier takeaways so the
    wording converges."""
    if not project_ids:
        return []
    rows = await session.execute(
        text(
            """
            WITH said AS (
                SELECT DISTINCT ON (i.id, btrim(t))
                       extract(year FROM coalesce(i.interview_date, i.created_at::date))::int AS y,
                       btrim(t) AS t, i.id, i.title, i.project_id,
                       coalesce(i.interview_date, i.created_at::date) AS day
                FROM interviews i
                JOIN interview_analyses a ON a.interview_id = i.id,
                     jsonb_array_elements_text(
                         CASE WHEN jsonb_typeof(a.result->'key_takeaways') = 'array'
                              THEN a.result->'key_takeaways' ELSE '[]' END) t
                WHERE i.project_id = ANY(:p) AND i.status = 'completed'
                  AND i.deleted_at IS NULL AND btrim(t) <> ''
            ), counted AS (
                SELECT y, t, count(*) AS n, array_agg(DISTINCT project_id) AS projects,
                       (array_agg(id ORDER BY day DESC, id))[1] AS example_id,
                       (array_agg(title ORDER BY day DESC, id))[1] AS example_title,
                       row_number() OVER (PARTITION BY y ORDER BY count(*) DESC, t) AS rank
                FROM said GROUP BY y, t
            )
            SELECT y AS year, t AS takeaway, n, projects, example_id, example_title FROM counted
            WHERE rank <= :k ORDER BY y DESC, rank
            """
        ),
        {"p": list(project_ids), "k": per_year},
    )
    return [
        TakeawayCount(
            year=r.year,
            text=r.takeaway,
            interviews=r.n,
            project_ids=list(r.projects),
            example_id=r.example_id,
            example_title=r.example_title,
        )
        for r in rows
    ]


@dataclass(frozen=True, slots=True)
class StateMark:
    """The state's version numbers: whether a stored view of the insights still stands."""

    version: int
    edit_version: int
    computed_at: dt.datetime | None
    summary_at: dt.datetime | None
    # The inputs' fingerprint when the themes were last computed.
    fingerprint: str


async def state_mark(session: AsyncSession, project_id: UUID) -> StateMark | None:
    row = (
        await session.execute(
            text(
                "SELECT version, edit_version, computed_at, summary_at, fingerprint"
                " FROM insight_state WHERE project_id = :p"
            ),
            {"p": project_id},
        )
    ).one_or_none()
    if row is None:
        return None
    return StateMark(
        version=row.version,
        edit_version=row.edit_version,
        computed_at=row.computed_at,
        summary_at=row.summary_at,
        fingerprint=row.fingerprint,
    )


@dataclass(frozen=True, slots=True)
class InputsMark:
    # The fingerprint of the inputs as they are now: the text `marks` + `service.fingerprint`
    # hash, hashed by the server so one row comes back instead of one per interview.
    fingerprint: str
    # Live completed interviews the stored summary does not cover.
    new_since_summary: int


async def inputs_mark(session: AsyncSession, project_id: UUID) -> InputsMark | None:
    row = (
        await session.execute(
            text(
                f"""
                SELECT m.print, m.new_since_summary
                FROM insight_state s CROSS JOIN LATERAL (
                    SELECT encode(sha256(convert_to('e' || s.edit_version || coalesce(
                               string_agg('|' || i.id || ':' || concat_ws('|', a.created_at,
                                   i.persona_code, i.interview_date, i.language, md5(i.title)),
                                   '' ORDER BY i.id), ''), 'UTF8')), 'hex') AS print,
                           count(*) FILTER (WHERE s.summary_interview_ids IS NOT NULL
                               AND NOT i.id = ANY(s.summary_interview_ids)) AS new_since_summary
                    FROM interviews i JOIN interview_analyses a ON a.interview_id = i.id
                    WHERE {_LIVE}
                ) m
                WHERE s.project_id = :p
                """  # noqa: S608 (constant)
            ),
            {"p": project_id},
        )
    ).one_or_none()
    if row is None:
        return None
    return InputsMark(fingerprint=row.print, new_since_summary=row.new_since_summary)
