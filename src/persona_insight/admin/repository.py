"""SQL for administration (row-level security narrows every query to what the caller may see)."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.models import Company, User


async def companies(session: AsyncSession) -> list[tuple[Company, int]]:
    counts = select(User.company_id, func.count().label("n")).group_by(User.company_id).subquery()
    stmt = (
        select(Company, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.company_id == Company.id)
        .order_by(Company.name)
    )
    return [(row[0], int(row[1])) for row in (await session.execute(stmt)).all()]


async def company(session: AsyncSession, company_id: UUID) -> Company | None:
    return await session.get(Company, company_id)


async def add(session: AsyncSession, row: object) -> None:
    session.add(row)
    await session.flush()


async def users(
    session: AsyncSession, *, company_id: UUID | None, search: str | None, limit: int
) -> list[User]:
    stmt = select(User).order_by(User.name, User.email).limit(limit)
    if company_id is not None:
        stmt = stmt.where(User.company_id == company_id)
    if search:
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(or_(User.email.ilike(pattern), User.name.ilike(pattern)))
    return list((await session.execute(stmt)).scalars())


async def user(session: AsyncSession, user_id: UUID) -> User | None:
    return await session.get(User, user_id)


async def super_admin_count(session: AsyncSession) -> int:
    stmt = (
        select(func.count())
        .select_from(User)
        .where(User.role == "super_admin", User.is_active.is_(True))
    )
    return int((await session.execute(stmt)).scalar_one())


async def drop_memberships(session: AsyncSession, user_id: UUID) -> None:
    await session.execute(text("DELETE FROM project_members WHERE user_id = :u"), {"u": user_id})
