"""SQL for users, companies, sessions and API tokens."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.models import ApiToken, AuthSession, Company, User


@dataclass(frozen=True, slots=True)
class Authenticated:
    user_id: UUID
    company_id: UUID
    role: str
    email: str
    name: str
    locale: str | None
    session_id: UUID | None
    token_id: UUID | None
    csrf_token: str | None
    last_seen_at: dt.datetime | None


async def user_by_email(session: AsyncSession, email: str) -> User | None:
    result = await session.execute(select(User).where(func.lower(User.email) == email.lower()))
    return result.scalar_one_or_none()


async def user_by_id(session: AsyncSession, user_id: UUID) -> User | None:
    return await session.get(User, user_id)


async def company_by_name(session: AsyncSession, name: str) -> Company | None:
    result = await session.execute(select(Company).where(Company.name == name))
    return result.scalars().first()


async def company_by_id(session: AsyncSession, company_id: UUID) -> Company | None:
    return await session.get(Company, company_id)


async def add(session: AsyncSession, row: object) -> None:
    session.add(row)
    await session.flush()


_AUTH_SESSION_SQL = text(
    """
    SELECT u.id, u.company_id, u.role, u.email, u.name, u.locale,
           s.id AS session_id, s.csrf_token, s.last_seen_at
    FROM auth_sessions s
    JOIN users u ON u.id = s.user_id
    JOIN companies c ON c.id = u.company_id
    WHERE s.token_hash = :h AND s.expires_at > now() AND u.is_active AND c.is_active
    """
)

_AUTH_TOKEN_SQL = text(
    """
    SELECT u.id, u.company_id, u.role, u.email, u.name, u.locale, t.id AS token_id,
           t.last_used_at
    FROM api_tokens t
    JOIN users u ON u.id = t.user_id
    JOIN companies c ON c.id = u.company_id
    WHERE t.token_hash = :h AND t.revoked_at IS NULL AND u.is_active AND c.is_active
    """
)


async def authenticate_session(session: AsyncSession, token_hash: str) -> Authenticated | None:
    row = (await session.execute(_AUTH_SESSION_SQL, {"h": token_hash})).first()
    if row is None:
        return None
    return Authenticated(
        user_id=row.id,
        company_id=row.company_id,
        role=row.role,
        email=row.email,
        name=row.name,
        locale=row.locale,
        session_id=row.session_id,
        token_id=None,
        csrf_token=row.csrf_token,
        last_seen_at=row.last_seen_at,
    )


async def authenticate_token(session: AsyncSession, token_hash: str) -> Authenticated | None:
    row = (await session.execute(_AUTH_TOKEN_SQL, {"h": token_hash})).first()
    if row is None:
        return None
    return Authenticated(
        user_id=row.id,
        company_id=row.company_id,
        role=row.role,
        email=row.email,
        name=row.name,
        locale=row.locale,
        session_id=None,
        token_id=row.token_id,
        csrf_token=None,
        last_seen_at=row.last_used_at,
    )


async def touch_session(session: AsyncSession, session_id: UUID) -> None:
    await session.execute(
        update(AuthSession).where(AuthSession.id == session_id).values(last_seen_at=func.now())
    )


async def touch_token(session: AsyncSession, token_id: UUID) -> None:
    await session.execute(
        update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=func.now())
    )


async def delete_session(session: AsyncSession, session_id: UUID) -> None:
    await session.execute(text("DELETE FROM auth_sessions WHERE id = :id"), {"id": session_id})


async def delete_sessions_of_user(session: AsyncSession, user_id: UUID) -> None:
    await session.execute(text("DELETE FROM auth_sessions WHERE user_id = :u"), {"u": user_id})
