"""SQL for projects and memberships."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.models import Project, ProjectMember


async def add(session: AsyncSession, row: object) -> None:
    session.add(row)
    await session.flush()


async def get_with_role(
    session: AsyncSession, project_id: UUID, user_id: UUID
) -> tuple[Project, str | None] | None:
    stmt = (
        select(Project, ProjectMember.role)
        .outerjoin(
            ProjectMember,
            and_(ProjectMember.project_id == Project.id, ProjectMember.user_id == user_id),
        )
        .where(Project.id == project_id, Project.deleted_at.is_(None))
    )
    row = (await session.execute(stmt)).first()
    if row is None:
        return None
    return row[0], row[1]


async def visible_to(
    session: AsyncSession, *, company_id: UUID, user_id: UUID, search: str | None, mine_only: bool
) -> list[tuple[Project, str | None]]:
    stmt = (
        select(Project, ProjectMember.role)
        .outerjoin(
            ProjectMember,
            and_(ProjectMember.project_id == Project.id, ProjectMember.user_id == user_id),
        )
        .where(Project.company_id == company_id, Project.deleted_at.is_(None))
        .order_by(Project.created_at.desc())
    )
    if mine_only:
        stmt = stmt.where(ProjectMember.user_id.is_not(None))
    else:
        stmt = stmt.where(or_(ProjectMember.user_id.is_not(None), Project.visibility == "public"))
    if search:
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(or_(Project.name.ilike(pattern), Project.description.ilike(pattern)))
    return [(row[0], row[1]) for row in (await session.execute(stmt)).all()]
