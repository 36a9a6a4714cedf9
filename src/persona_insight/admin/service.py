"""Administration rules. Super-admins manage companies and every user; company admins manage
their own company's users (never a super-admin, never themselves into a lock-out)."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.accounts import repository as accounts_repo
from persona_insight.accounts import service as accounts
from persona_insight.accounts.repository import Authenticated
from persona_insight.admin import repository as repo
from persona_insight.admin.schemas import CompanyCreate, CompanyPatch, UserPatch
from persona_insight.audit import service as audit
from persona_insight.errors import Conflict, Forbidden, NotFound
from persona_insight.models import Company, Project, User
from persona_insight.realtime.events import REVOKED_CHANNEL

ADMIN_ROLES = frozenset({"company_admin", "super_admin"})


def require_admin(user: Authenticated) -> None:
    if user.role not in ADMIN_ROLES:
        raise Forbidden("only administrators may do this", code="forbidden")


def require_super(user: Authenticated) -> None:
    if user.role != "super_admin":
        raise Forbidden("only super-administrators may do this", code="forbidden")


async def create_company(
    session: AsyncSession, actor: Authenticated, body: CompanyCreate
) -> Company:
    require_super(actor)
    company = Company(name=body.name, description=body.description, domains=body.domains)
    await repo.add(session, company)
    await audit.record(
        session,
        "company_created",
        company_id=company.id,
        actor_id=actor.user_id,
        target_type="company",
        target_id=company.id,
    )
    return company


async def update_company(
    session: AsyncSession, actor: Authenticated, company_id: UUID, body: CompanyPatch
) -> Company:
    require_admin(actor)
    company = await repo.company(session, company_id)
    if company is None or (actor.role != "super_admin" and company.id != actor.company_id):
        raise NotFound("no such company", code="company_not_found")
    changes = body.model_dump(exclude_unset=True)
    if actor.role != "super_admin" and set(changes) - {"name", "description"}:
        raise Forbidden(
            "only super-administrators change domains or deactivate a company", code="forbidden"
        )
    for key, value in changes.items():
        setattr(company, key, value)
    await session.flush()
    if changes.get("is_active") is False:
        # Their credentials stop working at once (authentication checks the company); their
        # open streams close too.
        await session.execute(
            text("SELECT pg_notify(:c, id::text) FROM users WHERE company_id = :company"),
            {"c": REVOKED_CHANNEL, "company": company.id},
        )
    action = "company_deactivated" if changes.get("is_active") is False else "company_updated"
    await audit.record(
        session,
        action,
        company_id=company.id,
        actor_id=actor.user_id,
        target_type="company",
        target_id=company.id,
        fields=sorted(changes),
    )
    return company


async def update_user(
    session: AsyncSession,
    actor: Authenticated,
    user_id: UUID,
    body: UserPatch,
    ip: str | None,
) -> User:
    require_admin(actor)
    user = await repo.user(session, user_id)  # row-level security: own company for admins
    if user is None:
        raise NotFound("no such user", code="user_not_found")
    changes = body.model_dump(exclude_unset=True)
    is_super = actor.role == "super_admin"
    if not is_super:
        if user.role == "super_admin" or changes.get("role") == "super_admin":
            raise Forbidden(
                "only super-administrators manage super-administrators", code="forbidden"
            )
        if "company_id" in changes:
            raise Forbidden(
                "only super-administrators move users between companies", code="forbidden"
            )
    if user.id == actor.user_id and (
        changes.get("is_active") is False
        or ("role" in changes and changes["role"] != user.role)
        or ("company_id" in changes and changes["company_id"] != user.company_id)
    ):
        raise Conflict("you cannot demote, move or deactivate yourself", code="cannot_change_self")
    if (
        user.role == "super_admin"
        and (
            changes.get("is_active") is False
            or ("role" in changes and changes["role"] != "super_admin")
        )
        and await repo.super_admin_count(session) <= 1
    ):
        raise Conflict(
            "the instance needs at least one super-administrator", code="last_super_admin"
        )

    if "name" in changes and changes["name"] is not None:
        user.name = changes["name"]
    if "role" in changes and changes["role"] is not None and changes["role"] != user.role:
        old = user.role
        user.role = changes["role"]
        await audit.record(
            session,
            "role_changed",
            company_id=user.company_id,
            actor_id=actor.user_id,
            target_type="user",
            target_id=user.id,
            ip=ip,
            old=old,
            new=user.role,
        )
        await accounts.notify_revoked(session, user.id)  # streams re-authorise with the role
    new_company = changes.get("company_id")
    if new_company is not None and new_company != user.company_id:
        if await repo.company(session, new_company) is None:
            raise NotFound("no such company", code="company_not_found")
        owned = (
            await session.execute(
                select(func.count())
                .select_from(Project)
                .where(Project.owner_id == user.id, Project.deleted_at.is_(None))
            )
        ).scalar_one()
        if owned:
            raise Conflict("transfer the user's projects before moving them", code="owns_projects")
        await repo.drop_memberships(session, user.id)
        await accounts_repo.delete_sessions_of_user(session, user.id)
        await accounts_repo.revoke_tokens_of_user(session, user.id)
        old_company = user.company_id
        user.company_id = new_company
        await audit.record(
            session,
            "user_updated",
            company_id=old_company,
            actor_id=actor.user_id,
            target_type="user",
            target_id=user.id,
            ip=ip,
            moved_to=str(new_company),
        )
        await accounts.notify_revoked(session, user.id)
    if (
        "is_active" in changes
        and changes["is_active"] is not None
        and changes["is_active"] != user.is_active
    ):
        user.is_active = changes["is_active"]
        if not user.is_active:
            await accounts_repo.delete_sessions_of_user(session, user.id)
            await accounts_repo.revoke_tokens_of_user(session, user.id)
            await accounts.notify_revoked(session, user.id)
        await audit.record(
            session,
            "user_deactivated" if not user.is_active else "user_reactivated",
            company_id=user.company_id,
            actor_id=actor.user_id,
            target_type="user",
            target_id=user.id,
            ip=ip,
        )
    await session.flush()
    return user
