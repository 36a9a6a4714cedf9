"""`/api/auth/*` and `/api/me`."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request, Response

from persona_insight.accounts import repository as repo
from persona_insight.accounts import service
from persona_insight.accounts.deps import SESSION_COOKIE, CtxDep
from persona_insight.accounts.schemas import CompanyRef, LoginIn, LoginOut, MeOut
from persona_insight.db import Actor
from persona_insight.runtime import runtime_of

router = APIRouter(tags=["accounts"])


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def set_session_cookie(
    response: Response, request: Request, token: str, expires: dt.datetime
) -> None:
    settings = runtime_of(request).settings
    response.set_cookie(
        SESSION_COOKIE,
        token,
        expires=expires,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )


@router.post("/api/auth/login", response_model=LoginOut, summary="Sign in; sets the session cookie")
async def login(body: LoginIn, request: Request, response: Response) -> LoginOut:
    rt = runtime_of(request)
    async with rt.db.unit_of_work(Actor.system()) as session:
        new = await service.login(
            session,
            email=body.email,
            password=body.password,
            ttl=dt.timedelta(hours=rt.settings.session_ttl_hours),
            ip=client_ip(request),
            user_agent=request.headers.get("user-agent"),
        )
        company = await repo.company_by_id(session, new.user.company_id)
        assert company is not None
    set_session_cookie(response, request, new.token, new.expires_at)
    user = new.user
    me = MeOut(
        id=user.id,
        email=user.email,
        name=user.name,
        role=user.role,
        locale=user.locale,
        company=CompanyRef(id=company.id, name=company.name),
        csrf_token=new.csrf_token,
    )
    return LoginOut(user=me, csrf_token=new.csrf_token)


@router.post("/api/auth/logout", status_code=204, summary="Sign out; ends the session")
async def logout(ctx: CtxDep, response: Response) -> Response:
    if ctx.user.session_id is not None:
        await service.logout(ctx.session, ctx.user.session_id)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/api/me", response_model=MeOut, summary="The signed-in user")
async def me(ctx: CtxDep) -> MeOut:
    company = await repo.company_by_id(ctx.session, ctx.user.company_id)
    assert company is not None
    u = ctx.user
    return MeOut(
        id=u.user_id,
        email=u.email,
        name=u.name,
        role=u.role,
        locale=u.locale,
        company=CompanyRef(id=company.id, name=company.name),
        csrf_token=u.csrf_token,
    )
