"""Account rules: sign-in, sessions, users and API tokens. Never commits."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.accounts import repository as repo
from persona_insight.accounts.security import (
    SESSION_PREFIX,
    TOKEN_PREFIX,
    digest,
    hash_password,
    new_secret,
    verify_password,
)
from persona_insight.errors import Conflict, InvalidInput, Unauthenticated
from persona_insight.models import ApiToken, AuthSession, Company, User

ROLES = ("super_admin", "company_admin", "company_user")
MIN_PASSWORD = 8


@dataclass(frozen=True, slots=True)
class NewSession:
    token: str
    csrf_token: str
    user: User
    expires_at: dt.datetime


def normalise_email(email: str) -> str:
    email = email.strip()
    if "@" not in email or len(email) > 320 or email.startswith("@") or email.endswith("@"):
        raise InvalidInput("a valid e-mail address is required", code="invalid_email")
    return email.lower()


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(
            f"the password needs at least {MIN_PASSWORD} characters", code="weak_password"
        )
    if len(password) > 1024:
        raise InvalidInput("the password is too long", code="weak_password")


async def login(
    session: AsyncSession,
    *,
    email: str,
    password: str,
    ttl: dt.timedelta,
    ip: str | None = None,
    user_agent: str | None = None,
) -> NewSession:
    user = await repo.user_by_email(session, email.strip())
    ok = verify_password(password, user.password_hash if user else None)
    if user is None or not ok or not user.is_active:
        raise Unauthenticated("wrong e-mail or password", code="invalid_credentials")
    company = await repo.company_by_id(session, user.company_id)
    if company is None or not company.is_active:
        raise Unauthenticated("wrong e-mail or password", code="invalid_credentials")
    return await start_session(session, user, ttl=ttl, ip=ip, user_agent=user_agent)


async def start_session(
    session: AsyncSession,
    user: User,
    *,
    ttl: dt.timedelta,
    ip: str | None = None,
    user_agent: str | None = None,
) -> NewSession:
    token = new_secret(SESSION_PREFIX)
    csrf = secrets.token_urlsafe(24)
    expires = dt.datetime.now(dt.UTC) + ttl
    await repo.add(
        session,
        AuthSession(
            token_hash=digest(token),
            user_id=user.id,
            company_id=user.company_id,
            csrf_token=csrf,
            expires_at=expires,
            ip=ip,
            user_agent=(user_agent or "")[:400],
        ),
    )
    return NewSession(token=token, csrf_token=csrf, user=user, expires_at=expires)


async def logout(session: AsyncSession, session_id: UUID) -> None:
    await repo.delete_session(session, session_id)


async def ensure_company(
    session: AsyncSession, name: str, *, domains: list[str] | None = None
) -> Company:
    company = await repo.company_by_name(session, name)
    if company is None:
        company = Company(name=name, domains=domains or [])
        await repo.add(session, company)
    return company


async def create_user(
    session: AsyncSession,
    *,
    email: str,
    password: str,
    name: str,
    company: Company,
    role: str = "company_user",
) -> User:
    email = normalise_email(email)
    check_password_strength(password)
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}", code="invalid_role")
    if await repo.user_by_email(session, email) is not None:
        raise Conflict("a user with this e-mail exists", code="email_taken")
    user = User(
        email=email,
        name=name.strip() or email.split("@")[0],
        password_hash=hash_password(password),
        company_id=company.id,
        role=role,
    )
    await repo.add(session, user)
    return user


async def create_token(session: AsyncSession, user: User, name: str) -> tuple[ApiToken, str]:
    secret = new_secret(TOKEN_PREFIX)
    token = ApiToken(
        user_id=user.id,
        company_id=user.company_id,
        name=name[:200] or "token",
        token_hash=digest(secret),
        prefix=secret[:10],
    )
    await repo.add(session, token)
    return token, secret
