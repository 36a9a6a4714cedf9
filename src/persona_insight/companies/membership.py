"""Who may join the company: whether new members wait for an admin's approval, and the approval
itself. Never commits."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.accounts.repository import Authenticated
from persona_insight.admin.service import require_admin
from persona_insight.audit import service as audit
from persona_insight.companies import repository as repo
from persona_insight.errors import Conflict, NotFound
from persona_insight.models import User


async def set_require_approval(session: AsyncSession, user: Authenticated, value: bool) -> bool:
    require_admin(user)
    company = await repo.company(session, user.company_id)
    if company is None:
        raise NotFound("no such company", code="company_not_found")
    company.require_approval = value
    await session.flush()
    await audit.record(
        session,
        "company_updated",
        company_id=company.id,
        actor_id=user.user_id,
        target_type="company",
        target_id=company.id,
        require_approval=value,
    )
    return company.require_approval


async def require_approval(session: AsyncSession, user: Authenticated) -> bool:
    require_admin(user)
    company = await repo.company(session, user.company_id)
    return bool(company and company.require_approval)


async def pending(session: AsyncSession, user: Authenticated) -> list[User]:
    require_admin(user)
    return await repo.pending_members(session, user.company_id)


async def _pending_one(session: AsyncSession, user: Authenticated, user_id: UUID) -> User:
    require_admin(user)
    found = await repo.pending_member(session, user.company_id, user_id)
    if found is None:
        if await repo.member_of(session, user.company_id, user_id):
            raise Conflict("this account does not wait for approval", code="not_pending")
        raise NotFound("no such account waits for approval", code="pending_member_not_found")
    return found


async def approve(
    session: AsyncSession, user: Authenticated, user_id: UUID, ip: str | None
) -> User:
    found = await _pending_one(session, user, user_id)
    found.approved_at = dt.datetime.now(dt.UTC)
    await session.flush()
    await audit.record(
        session,
        "member_approved",
        company_id=found.company_id,
        actor_id=user.user_id,
        target_type="user",
        target_id=found.id,
        ip=ip,
    )
    return found


async def deny(session: AsyncSession, user: Authenticated, user_id: UUID, ip: str | None) -> None:
    """The account goes: it never had access, so nothing of it is worth keeping."""
    found = await _pending_one(session, user, user_id)
    await audit.record(
        session,
        "member_denied",
        company_id=found.company_id,
        actor_id=user.user_id,
        target_type="user",
        target_id=found.id,
        ip=ip,
        email=found.email,
    )
    await repo.delete(session, found)
