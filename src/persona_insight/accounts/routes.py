"""`/api/auth/*` (sign-up, sign-in, sign-out) and `/api/me*` (profile, password, avatar, tokens)."""

from __future__ import annotations

import asyncio
import datetime as dt
from uuid import UUID

from fastapi import APIRouter, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.accounts import repository as repo
from persona_insight.accounts import service, throttle, verification
from persona_insight.accounts.deps import SESSION_COOKIE, Ctx, CtxDep
from persona_insight.accounts.schemas import (
    CompanyRef,
    LoginIn,
    LoginOut,
    MeOut,
    PasswordChange,
    ProfilePatch,
    SignupIn,
    SignupOut,
    TokenCreate,
    TokenCreated,
    TokenList,
    TokenOut,
    VerifyIn,
    VerifyOut,
)
from persona_insight.audit import service as audit
from persona_insight.db import Actor, set_actor
from persona_insight.errors import (
    NotFound,
    Unauthenticated,
)
from persona_insight.files import service as stored_files
from persona_insight.files.images import read_image
from persona_insight.models import User
from persona_insight.runtime import Runtime, runtime_of

router = APIRouter(tags=["accounts"])

AVATAR_MAX_BYTES = 5 * 1024 * 1024


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
        secure=settings.cookies_secure,
        path="/",
    )


async def _me(rt: Runtime, session: AsyncSession, user: User, csrf: str | None) -> MeOut:
    company = await repo.company_by_id(session, user.company_id)
    assert company is not None
    return MeOut(
        id=user.id,
        email=user.email,
        name=user.name,
        role=user.role,
        locale=user.locale,
        company=CompanyRef(id=company.id, name=company.name),
        has_avatar=user.avatar_sha256 is not None,
        csrf_token=csrf,
    )


async def sign_in(
    request: Request, *, email: str, password: str
) -> tuple[service.NewSession, MeOut]:
    """Throttled, audited sign-in shared by the API and the sign-in page."""
    rt = runtime_of(request)
    ip = client_ip(request)
    # Counted before the password is checked, in its own committed transaction: parallel
    # guesses cannot all pass a check that none of them has been recorded in yet.
    async with rt.db.unit_of_work(Actor.system()) as session:
        attempt = await throttle.begin_sign_in(session, email=email, address=ip)
    try:
        async with rt.db.unit_of_work(Actor.system()) as session:
            new = await service.login(
                session,
                email=email,
                password=password,
                ttl=dt.timedelta(hours=rt.settings.session_ttl_hours),
                ip=ip,
                user_agent=request.headers.get("user-agent"),
                replaces=request.cookies.get(SESSION_COOKIE),
            )
            await throttle.succeeded(session, attempt)
            await audit.record(
                session, "login", company_id=new.user.company_id, actor_id=new.user.id, ip=ip
            )
            me = await _me(rt, session, new.user, new.csrf_token)
    except service.EmailUnverified as exc:
        await send_new_link(rt, exc.user_id, exc.company_id)
        raise
    except Unauthenticated:
        await _record_failure(rt, email=email, ip=ip)
        raise
    return new, me


async def _record_failure(rt: Runtime, *, email: str, ip: str | None) -> None:
    # Recorded with the targeted account's company, so that its admins see attacks on their
    # users; an unknown address has no company.
    async with rt.db.unit_of_work(Actor.system()) as session:
        target = await repo.login_candidate(session, email.strip())
        if target is not None:
            await set_actor(session, Actor(target.company_id, None, "system"))
        await audit.record(
            session,
            "login_failed",
            company_id=target.company_id if target else None,
            actor_id=None,
            target_type="user" if target else None,
            target_id=target.user_id if target else None,
            ip=ip,
            email_hash=throttle.key_of_email(email)[2:18],
        )


async def send_new_link(rt: Runtime, user_id: UUID, company_id: UUID) -> None:
    """A fresh verification link for an unverified account (the old one stops working)."""
    async with rt.db.unit_of_work(Actor(company_id, None, "system")) as session:
        user = await repo.user_by_id(session, user_id)
        if user is None or user.email_verified_at is not None:
            return
        secret = await service.issue_verification(session, user, _verify_for(rt))
        to = user.email
    await verification.send_link(rt.settings, to, secret)


def _verify_for(rt: Runtime) -> dt.timedelta:
    return dt.timedelta(hours=rt.settings.email_verification_hours)


@router.post(
    "/api/auth/signup",
    status_code=202,
    response_model=SignupOut,
    summary="Create an account (company chosen by the e-mail's domain); mails a verification link",
)
async def signup(body: SignupIn, request: Request) -> SignupOut:
    rt = runtime_of(request)
    async with rt.db.unit_of_work(Actor.system()) as session:
        user, secret = await service.signup(
            session,
            email=body.email,
            password=body.password,
            name=body.name,
            open_signup=rt.settings.open_signup,
            verify_for=_verify_for(rt),
        )
        await audit.record(
            session,
            "signup",
            company_id=user.company_id,
            actor_id=user.id,
            ip=client_ip(request),
            role=user.role,
        )
        email = user.email
    # After the commit: a mail never carries a link whose secret was rolled back.
    sent = await verification.send_link(rt.settings, email, secret)
    return SignupOut(email=email, verification_sent=sent)


@router.post(
    "/api/auth/verify",
    response_model=VerifyOut,
    summary="Confirm an e-mail address with the secret of its verification link",
)
async def verify(body: VerifyIn, request: Request) -> VerifyOut:
    rt = runtime_of(request)
    async with rt.db.unit_of_work(Actor.system()) as session:
        done = await service.verify_email(session, body.token)
        await set_actor(session, Actor(done.company_id, None, "system"))
        await audit.record(
            session,
            "email_verified",
            company_id=done.company_id,
            actor_id=done.user_id,
            ip=client_ip(request),
        )
    return VerifyOut(email=done.email, approval_pending=not done.approved)


@router.post("/api/auth/login", response_model=LoginOut, summary="Sign in; sets the session cookie")
async def login(body: LoginIn, request: Request, response: Response) -> LoginOut:
    new, me = await sign_in(request, email=body.email, password=body.password)
    set_session_cookie(response, request, new.token, new.expires_at)
    return LoginOut(user=me, csrf_token=new.csrf_token)


@router.post("/api/auth/logout", status_code=204, summary="Sign out; ends the session")
async def logout(ctx: CtxDep, request: Request) -> Response:
    if ctx.user.session_id is not None:
        await service.logout(ctx.session, ctx.user.session_id, ctx.user.user_id)
        await audit.record(
            ctx.session,
            "logout",
            company_id=ctx.user.company_id,
            actor_id=ctx.user.user_id,
            ip=client_ip(request),
        )
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


async def _current(ctx: Ctx) -> User:
    user = await repo.user_by_id(ctx.session, ctx.user.user_id)
    assert user is not None
    return user


@router.get("/api/me", response_model=MeOut, summary="The signed-in user")
async def me(ctx: CtxDep) -> MeOut:
    return await _me(ctx.rt, ctx.session, await _current(ctx), ctx.user.csrf_token)


@router.patch("/api/me", response_model=MeOut, summary="Change my name or language")
async def patch_me(body: ProfilePatch, ctx: CtxDep) -> MeOut:
    user = await service.update_profile(
        ctx.session, ctx.user.user_id, name=body.name, locale=body.locale
    )
    return await _me(ctx.rt, ctx.session, user, ctx.user.csrf_token)


@router.post(
    "/api/me/password",
    response_model=LoginOut,
    summary="Change my password; ends every session (and revokes my API tokens unless asked to "
    "keep them) and starts a new session",
)
async def change_password(
    body: PasswordChange, ctx: CtxDep, request: Request, response: Response
) -> LoginOut:
    user = await service.change_password(
        ctx.session,
        ctx.user.user_id,
        current=body.current_password,
        new=body.new_password,
        keep_tokens=body.keep_api_tokens,
    )
    await audit.record(
        ctx.session,
        "password_changed",
        company_id=user.company_id,
        actor_id=user.id,
        ip=client_ip(request),
        tokens_revoked=not body.keep_api_tokens,
    )
    new = await service.start_session(
        ctx.session,
        user,
        ttl=dt.timedelta(hours=ctx.rt.settings.session_ttl_hours),
        ip=client_ip(request),
        user_agent=request.headers.get("user-agent"),
    )
    set_session_cookie(response, request, new.token, new.expires_at)
    return LoginOut(
        user=await _me(ctx.rt, ctx.session, user, new.csrf_token), csrf_token=new.csrf_token
    )


@router.put(
    "/api/me/avatar",
    response_model=MeOut,
    summary="Upload my avatar (≤ 5 MB)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {"file": {"type": "string", "format": "binary"}},
                    }
                }
            },
        }
    },
)
async def put_avatar(request: Request, ctx: CtxDep) -> MeOut:
    data, media_type = await read_image(
        request,
        max_bytes=AVATAR_MAX_BYTES,
        too_large="an avatar may be at most 5 MB",
        too_large_code="avatar_too_large",
    )
    sha = await stored_files.store(ctx.session, ctx.rt.files, data)
    user = await _current(ctx)
    user.avatar_sha256 = sha
    user.avatar_media_type = media_type
    await ctx.session.flush()
    return await _me(ctx.rt, ctx.session, user, ctx.user.csrf_token)


@router.delete("/api/me/avatar", response_model=MeOut, summary="Remove my avatar")
async def delete_avatar(ctx: CtxDep) -> MeOut:
    user = await _current(ctx)
    user.avatar_sha256 = None
    user.avatar_media_type = None
    await ctx.session.flush()
    return await _me(ctx.rt, ctx.session, user, ctx.user.csrf_token)


@router.get(
    "/api/users/{user_id}/avatar",
    summary="A colleague's avatar",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}},
)
async def get_avatar(user_id: UUID, ctx: CtxDep) -> Response:
    user = await repo.user_by_id(ctx.session, user_id)  # row-level security: own company only
    if user is None or user.avatar_sha256 is None or not ctx.rt.files.exists(user.avatar_sha256):
        raise NotFound("no avatar", code="avatar_not_found")
    data = await asyncio.to_thread(ctx.rt.files.get, user.avatar_sha256)
    return Response(
        data,
        media_type=user.avatar_media_type or "application/octet-stream",
        headers={
            "Cache-Control": "private, max-age=300",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox",
        },
    )


@router.get("/api/me/tokens", response_model=TokenList, summary="My API tokens")
async def list_tokens(ctx: CtxDep) -> TokenList:
    tokens = await repo.tokens_of(ctx.session, ctx.user.user_id)
    return TokenList(items=[TokenOut.model_validate(t, from_attributes=True) for t in tokens])


@router.post(
    "/api/me/tokens",
    status_code=201,
    response_model=TokenCreated,
    summary="Create an API token (the secret is shown only in this answer)",
)
async def create_token(body: TokenCreate, ctx: CtxDep, request: Request) -> TokenCreated:
    user = await _current(ctx)
    token, secret = await service.create_token(ctx.session, user, body.name)
    await audit.record(
        ctx.session,
        "token_created",
        company_id=user.company_id,
        actor_id=user.id,
        target_type="token",
        target_id=token.id,
        ip=client_ip(request),
    )
    return TokenCreated(
        **TokenOut.model_validate(token, from_attributes=True).model_dump(), token=secret
    )


@router.delete("/api/me/tokens/{token_id}", status_code=204, summary="Revoke an API token")
async def revoke_token(token_id: UUID, ctx: CtxDep, request: Request) -> Response:
    token = await service.revoke_token(ctx.session, ctx.user.user_id, token_id)
    await audit.record(
        ctx.session,
        "token_revoked",
        company_id=ctx.user.company_id,
        actor_id=ctx.user.user_id,
        target_type="token",
        target_id=token.id,
        ip=client_ip(request),
    )
    return Response(status_code=204)
