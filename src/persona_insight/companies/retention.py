"""How long the company's trashed interviews stay restorable before the purge job deletes them.
Never commits."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.accounts.repository import Authenticated
from persona_insight.admin.service import require_admin
from persona_insight.audit import service as audit
from persona_insight.companies import repository as repo
from persona_insight.companies.schemas import RetentionSettings, RetentionSettingsIn
from persona_insight.config import Settings
from persona_insight.errors import NotFound
from persona_insight.models import Company


async def _company(session: AsyncSession, user: Authenticated) -> Company:
    require_admin(user)
    company = await repo.company(session, user.company_id)
    if company is None:
        raise NotFound("no such company", code="company_not_found")
    return company


def days_for(company: Company | None, settings: Settings) -> int:
    """The company's retention in days, or the instance default."""
    return (company and company.trash_retention_days) or settings.trash_retention_days


async def days(session: AsyncSession, company_id: UUID, settings: Settings) -> int:
    """How many days the company's trash is kept (any member may see it in the trash)."""
    return days_for(await repo.company(session, company_id), settings)


def describe(company: Company, settings: Settings) -> RetentionSettings:
    return RetentionSettings(
        trash_retention_days=company.trash_retention_days,
        default_days=settings.trash_retention_days,
        effective_days=days_for(company, settings),
    )


async def get(session: AsyncSession, user: Authenticated, settings: Settings) -> RetentionSettings:
    return describe(await _company(session, user), settings)


async def put(
    session: AsyncSession, user: Authenticated, body: RetentionSettingsIn, settings: Settings
) -> RetentionSettings:
    company = await _company(session, user)
    company.trash_retention_days = body.trash_retention_days
    await session.flush()
    await audit.record(
        session,
        "company_updated",
        company_id=company.id,
        actor_id=user.user_id,
        target_type="company",
        target_id=company.id,
        trash_retention_days=body.trash_retention_days,
    )
    return describe(company, settings)
