"""All persona SQL: the framework, combinations, focus, placements and manual choices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.models import (
    Company,
    Interview,
    InterviewAnalysis,
    InterviewPersonaChoice,
    InterviewPlacement,
    Persona,
    PersonaAxis,
    PersonaFocus,
    PersonaProfile,
    PersonaType,
    Project,
)


async def axes(session: AsyncSession, company_id: UUID) -> list[PersonaAxis]:
    stmt = (
        select(PersonaAxis)
        .where(PersonaAxis.company_id == company_id)
        .order_by(PersonaAxis.position, PersonaAxis.created_at)
    )
    return list((await session.scalars(stmt)).all())


async def types(session: AsyncSession, company_id: UUID) -> list[PersonaType]:
    stmt = (
        select(PersonaType)
        .where(PersonaType.company_id == company_id)
        .order_by(PersonaType.position, PersonaType.created_at)
    )
    return list((await session.scalars(stmt)).all())


async def personas(session: AsyncSession, company_id: UUID) -> list[Persona]:
    stmt = select(Persona).where(Persona.company_id == company_id).order_by(Persona.code)
    return list((await session.scalars(stmt)).all())


async def persona(
    session: AsyncSession, company_id: UUID, persona_id: UUID, *, lock: bool = False
) -> Persona | None:
    stmt = select(Persona).where(Persona.id == persona_id, Persona.company_id == company_id)
    if lock:
        stmt = stmt.with_for_update()
    return (await session.scalars(stmt)).first()


async def picture(session: AsyncSession, persona_id: UUID) -> tuple[bytes | None, str | None]:
    row = (
        await session.execute(
            select(Persona.picture, Persona.picture_type).where(Persona.id == persona_id)
        )
    ).first()
    return (row[0], row[1]) if row is not None else (None, None)


async def set_picture(
    session: AsyncSession, persona_id: UUID, data: bytes | None, media_type: str | None
) -> None:
    await session.execute(
        update(Persona)
        .where(Persona.id == persona_id)
        .values(picture=data, picture_type=media_type, updated_at=func.now())
    )


async def lock_company_framework(session: AsyncSession, company_id: UUID) -> None:
    """Serialise framework edits of one company (two admins saving at once)."""
    await session.execute(
        select(func.pg_advisory_xact_lock(func.hashtext("personas:" + str(company_id))))
    )


async def persona_number(session: AsyncSession, company_id: UUID) -> int:
    value = await session.scalar(select(Company.persona_number).where(Company.id == company_id))
    return int(value or 0)


async def set_persona_number(session: AsyncSession, company_id: UUID, number: int) -> None:
    await session.execute(
        update(Company).where(Company.id == company_id).values(persona_number=number)
    )


async def use_of_types(session: AsyncSession, type_ids: Sequence[UUID]) -> int:
    """How many live interviews sit on any of these types."""
    if not type_ids:
        return 0
    stmt = (
        select(func.count(func.distinct(InterviewPlacement.interview_id)))
        .join(Interview, Interview.id == InterviewPlacement.interview_id)
        .where(InterviewPlacement.type_id.in_(type_ids), Interview.deleted_at.is_(None))
    )
    return int((await session.scalar(stmt)) or 0)


async def interviews_with_codes(
    session: AsyncSession, company_id: UUID, codes: Sequence[str]
) -> list[Interview]:
    if not codes:
        return []
    stmt = (
        select(Interview)
        .where(Interview.company_id == company_id, Interview.persona_code.in_(codes))
        .with_for_update()
    )
    return list((await session.scalars(stmt)).all())


async def delete_choices_of_codes(
    session: AsyncSession, company_id: UUID, codes: Sequence[str]
) -> None:
    if codes:
        await session.execute(
            delete(InterviewPersonaChoice).where(
                InterviewPersonaChoice.company_id == company_id,
                InterviewPersonaChoice.persona_code.in_(codes),
            )
        )


async def company_projects(session: AsyncSession, company_id: UUID) -> list[Project]:
    stmt = select(Project).where(Project.company_id == company_id, Project.deleted_at.is_(None))
    return list((await session.scalars(stmt)).all())


async def focus(session: AsyncSession, project_id: UUID) -> list[UUID]:
    stmt = select(PersonaFocus.persona_id).where(PersonaFocus.project_id == project_id)
    return list((await session.scalars(stmt)).all())


async def replace_focus(
    session: AsyncSession, project: Project, persona_ids: Sequence[UUID]
) -> None:
    await session.execute(delete(PersonaFocus).where(PersonaFocus.project_id == project.id))
    session.add_all(
        PersonaFocus(project_id=project.id, persona_id=p, company_id=project.company_id)
        for p in dict.fromkeys(persona_ids)
    )
    await session.flush()


async def placements(session: AsyncSession, interview_id: UUID) -> list[InterviewPlacement]:
    stmt = select(InterviewPlacement).where(InterviewPlacement.interview_id == interview_id)
    return list((await session.scalars(stmt)).all())


async def placements_of(
    session: AsyncSession, interview_ids: Sequence[UUID]
) -> list[InterviewPlacement]:
    if not interview_ids:
        return []
    stmt = select(InterviewPlacement).where(InterviewPlacement.interview_id.in_(interview_ids))
    return list((await session.scalars(stmt)).all())


async def choice(session: AsyncSession, interview_id: UUID) -> InterviewPersonaChoice | None:
    return await session.get(InterviewPersonaChoice, interview_id)


async def add(session: AsyncSession, row: object) -> None:
    session.add(row)
    await session.flush()


async def delete_row(session: AsyncSession, row: object) -> None:
    await session.delete(row)
    await session.flush()


async def analysed(
    session: AsyncSession, interview_ids: Sequence[UUID], *, lock: bool = False
) -> list[tuple[Interview, dict[str, Any]]]:
    """Live completed interviews among these, with their stored analysis results."""
    if not interview_ids:
        return []
    stmt = (
        select(Interview, InterviewAnalysis.result)
        .join(InterviewAnalysis, InterviewAnalysis.interview_id == Interview.id)
        .where(Interview.id.in_(interview_ids), Interview.deleted_at.is_(None))
        .order_by(Interview.id)
    )
    if lock:
        stmt = stmt.with_for_update(of=Interview)
    return [(row[0], row[1]) for row in (await session.execute(stmt)).all()]


async def analysed_newest(
    session: AsyncSession, interview_ids: Sequence[UUID], limit: int
) -> list[tuple[Interview, dict[str, Any]]]:
    """The newest `limit` live analysed interviews among these, in a stable order."""
    if not interview_ids:
        return []
    stmt = (
        select(Interview, InterviewAnalysis.result)
        .join(InterviewAnalysis, InterviewAnalysis.interview_id == Interview.id)
        .where(Interview.id.in_(interview_ids), Interview.deleted_at.is_(None))
        .order_by(Interview.created_at.desc(), Interview.id)
        .limit(limit)
    )
    return [(row[0], row[1]) for row in (await session.execute(stmt)).all()]


async def analysed_ids(session: AsyncSession, project_id: UUID) -> list[UUID]:
    stmt = (
        select(Interview.id)
        .join(InterviewAnalysis, InterviewAnalysis.interview_id == Interview.id)
        .where(Interview.project_id == project_id, Interview.deleted_at.is_(None))
        .order_by(Interview.id)
    )
    return list((await session.scalars(stmt)).all())


async def choices_of(
    session: AsyncSession, interview_ids: Sequence[UUID]
) -> dict[UUID, InterviewPersonaChoice]:
    if not interview_ids:
        return {}
    stmt = select(InterviewPersonaChoice).where(
        InterviewPersonaChoice.interview_id.in_(interview_ids)
    )
    return {c.interview_id: c for c in (await session.scalars(stmt)).all()}


async def persona_interviews(
    session: AsyncSession, project_id: UUID, code: str
) -> list[tuple[Interview, dict[str, Any], dt.datetime]]:
    """The project's live analysed interviews on this persona, with result and its version."""
    stmt = (
        select(Interview, InterviewAnalysis.result, InterviewAnalysis.created_at)
        .join(InterviewAnalysis, InterviewAnalysis.interview_id == Interview.id)
        .where(
            Interview.project_id == project_id,
            Interview.persona_code == code,
            Interview.deleted_at.is_(None),
        )
        .order_by(Interview.created_at, Interview.id)
    )
    return [(r[0], r[1], r[2]) for r in (await session.execute(stmt)).all()]


async def profiles(
    session: AsyncSession, persona_id: UUID, project_id: UUID
) -> list[PersonaProfile]:
    """Every version, newest first."""
    stmt = (
        select(PersonaProfile)
        .where(PersonaProfile.persona_id == persona_id, PersonaProfile.project_id == project_id)
        .order_by(PersonaProfile.version.desc())
    )
    return list((await session.scalars(stmt)).all())


async def lock_profiles(session: AsyncSession, persona_id: UUID, project_id: UUID) -> None:
    await session.execute(
        select(func.pg_advisory_xact_lock(func.hashtext(f"profile:{persona_id}:{project_id}")))
    )


async def code_counts(
    session: AsyncSession, project_ids: Sequence[UUID]
) -> list[tuple[UUID, str | None, int]]:
    """Live analysed interviews per project and persona code (None: no persona fits)."""
    if not project_ids:
        return []
    stmt = (
        select(Interview.project_id, Interview.persona_code, func.count())
        .join(InterviewAnalysis, InterviewAnalysis.interview_id == Interview.id)
        .where(Interview.project_id.in_(project_ids), Interview.deleted_at.is_(None))
        .group_by(Interview.project_id, Interview.persona_code)
    )
    return [(r[0], r[1], int(r[2])) for r in (await session.execute(stmt)).all()]


async def newest_profiles(
    session: AsyncSession, project_ids: Sequence[UUID]
) -> list[PersonaProfile]:
    """The newest profile version of every persona in these projects."""
    if not project_ids:
        return []
    newest = (
        select(
            PersonaProfile.persona_id,
            PersonaProfile.project_id,
            func.max(PersonaProfile.version).label("version"),
        )
        .where(PersonaProfile.project_id.in_(project_ids))
        .group_by(PersonaProfile.persona_id, PersonaProfile.project_id)
        .subquery()
    )
    stmt = select(PersonaProfile).join(
        newest,
        (PersonaProfile.persona_id == newest.c.persona_id)
        & (PersonaProfile.project_id == newest.c.project_id)
        & (PersonaProfile.version == newest.c.version),
    )
    return list((await session.scalars(stmt)).all())


async def live_titles(session: AsyncSession, interview_ids: Sequence[UUID]) -> dict[UUID, str]:
    """Titles of the live interviews among these (a trashed one is no longer linked)."""
    if not interview_ids:
        return {}
    stmt = select(Interview.id, Interview.title).where(
        Interview.id.in_(interview_ids), Interview.deleted_at.is_(None)
    )
    return {r[0]: r[1] for r in (await session.execute(stmt)).all()}
