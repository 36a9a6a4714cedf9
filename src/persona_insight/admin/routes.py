"""`/api/admin/*`: companies, users and the audit log."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request

from persona_insight.accounts.deps import CtxDep
from persona_insight.accounts.routes import client_ip
from persona_insight.admin import repository as repo
from persona_insight.admin import service
from persona_insight.admin.schemas import (
    AuditOut,
    AuditPage,
    CompanyCreate,
    CompanyList,
    CompanyOut,
    CompanyPatch,
    UserList,
    UserOut,
    UserPatch,
)
from persona_insight.audit import repository as audit_repo

router = APIRouter(prefix="/api/admin", tags=["administration"])


def _company(company: object, users: int = 0) -> CompanyOut:
    out = CompanyOut.model_validate(company, from_attributes=True)
    out.user_count = users
    return out


@router.get(
    "/companies",
    response_model=CompanyList,
    summary="Companies (super-admins: all; company admins: their own)",
)
async def list_companies(ctx: CtxDep) -> CompanyList:
    service.require_admin(ctx.user)
    rows = await repo.companies(ctx.session)
    return CompanyList(items=[_company(c, n) for c, n in rows])


@router.post(
    "/companies",
    status_code=201,
    response_model=CompanyOut,
    summary="Create a company (super-admins)",
)
async def create_company(body: CompanyCreate, ctx: CtxDep) -> CompanyOut:
    return _company(await service.create_company(ctx.session, ctx.user, body))


@router.patch(
    "/companies/{company_id}", response_model=CompanyOut, summary="Update or deactivate a company"
)
async def update_company(company_id: UUID, body: CompanyPatch, ctx: CtxDep) -> CompanyOut:
    return _company(await service.update_company(ctx.session, ctx.user, company_id, body))


@router.get("/users", response_model=UserList, summary="Users (company admins: their company)")
async def list_users(
    ctx: CtxDep,
    company_id: UUID | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> UserList:
    service.require_admin(ctx.user)
    if ctx.user.role != "super_admin":
        company_id = ctx.user.company_id
    users = await repo.users(ctx.session, company_id=company_id, search=q, limit=limit)
    return UserList(items=[UserOut.model_validate(u, from_attributes=True) for u in users])


@router.patch(
    "/users/{user_id}",
    response_model=UserOut,
    summary="Change a user's name, role, company or activity",
)
async def update_user(user_id: UUID, body: UserPatch, ctx: CtxDep, request: Request) -> UserOut:
    user = await service.update_user(ctx.session, ctx.user, user_id, body, client_ip(request))
    return UserOut.model_validate(user, from_attributes=True)


@router.get("/audit", response_model=AuditPage, summary="The audit log (company admins)")
async def audit_log(
    ctx: CtxDep,
    action: Annotated[str | None, Query(max_length=60)] = None,
    # The audit log's ids are bigints: a larger number is no entry (it reached the database and
    # came back as invalid_value).
    before: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AuditPage:
    service.require_admin(ctx.user)
    company = None if ctx.user.role == "super_admin" else ctx.user.company_id
    rows = await audit_repo.page(
        ctx.session, company_id=company, before=before, limit=limit, action=action
    )
    return AuditPage(
        items=[AuditOut.model_validate(r, from_attributes=True) for r in rows],
        next_before=rows[-1].id if len(rows) == limit else None,
    )
