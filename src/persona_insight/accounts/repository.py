"""SQL for users, companies, sessions and API tokens."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

from psycopg.rows import dict_row
from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.db import raw_connection
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

    @classmethod
    def acting_as(cls, user: User) -> Authenticated:
        """A user acting without credentials of their own: CLI imports, the demo, tests."""
        return cls(
            user_id=user.id,
            company_id=user.company_id,
            role=user.role,
            email=user.email,
            name=user.name,
            locale=user.locale,
            session_id=None,
            token_id=None,
            csrf_token=None,
            last_seen_at=None,
        )


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


# Credentials are looked up before anyone is known to act for a tenant, so through SECURITY
# DEFINER functions (migration 0005) rather than the row-level-secured tables.
# The same statement tells PostgreSQL who acts from now on (row-level security): one round trip.
_ACT_AS = (
    "set_config('app.company_id', a.company_id::text, true) AS _c,"
    " set_config('app.user_id', a.id::text, true) AS _u,"
    " set_config('app.role', a.role, true) AS _r"
)
# Every request runs one of these: on psycopg itself, without SQLAlchemy's execution machinery
# (measured in bench/pipeline.py), inside the session's transaction.
_AUTH_SESSION_SQL = f"SELECT a.*, {_ACT_AS} FROM pi_auth_session(%(h)s) a"  # noqa: S608
_AUTH_TOKEN_SQL = f"SELECT a.*, {_ACT_AS} FROM pi_auth_token(%(h)s) a"  # noqa: S608


async def _authenticated(session: AsyncSession, sql: str, token_hash: str) -> Authenticated | None:
    conn = await raw_connection(session)
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(sql, {"h": token_hash})
        values = await cur.fetchone()
    if values is None:
        return None
    return Authenticated(
        user_id=values["id"],
        company_id=values["company_id"],
        role=values["role"],
        email=values["email"],
        name=values["name"],
        locale=values["locale"],
        session_id=values.get("session_id"),
        token_id=values.get("token_id"),
        csrf_token=values.get("csrf_token"),
        last_seen_at=values.get("last_seen_at", values.get("last_used_at")),
    )


async def authenticate_session(session: AsyncSession, token_hash: str) -> Authenticated | None:
    return await _authenticated(session, _AUTH_SESSION_SQL, token_hash)


async def authenticate_token(session: AsyncSession, token_hash: str) -> Authenticated | None:
    return await _authenticated(session, _AUTH_TOKEN_SQL, token_hash)


@dataclass(frozen=True, slots=True)
class LoginCandidate:
    user_id: UUID
    company_id: UUID
    role: str
    password_hash: str
    active: bool


async def login_candidate(session: AsyncSession, email: str) -> LoginCandidate | None:
    row = (await session.execute(text("SELECT * FROM pi_login_lookup(:e)"), {"e": email})).first()
    if row is None:
        return None
    return LoginCandidate(row.id, row.company_id, row.role, row.password_hash, row.active)


async def email_taken(session: AsyncSession, email: str) -> bool:
    return bool(
        (await session.execute(text("SELECT pi_email_taken(:e)"), {"e": email})).scalar_one()
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


async def user_count(session: AsyncSession) -> int:
    return int((await session.execute(text("SELECT pi_user_count()"))).scalar_one())


async def company_for_domain(session: AsyncSession, domain: str) -> tuple[UUID, bool] | None:
    row = (
        await session.execute(text("SELECT * FROM pi_company_for_domain(:d)"), {"d": domain})
    ).first()
    return (row.id, row.active) if row else None


async def delete_session_by_hash(session: AsyncSession, token_hash: str) -> None:
    await session.execute(
        text("DELETE FROM auth_sessions WHERE token_hash = :h AND user_id = pi_user()"),
        {"h": token_hash},
    )


async def tokens_of(session: AsyncSession, user_id: UUID) -> list[ApiToken]:
    stmt = (
        select(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc())
    )
    return list((await session.execute(stmt)).scalars())


async def token_of(session: AsyncSession, user_id: UUID, token_id: UUID) -> ApiToken | None:
    stmt = select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def revoke_tokens_of_user(session: AsyncSession, user_id: UUID) -> None:
    await session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=func.now())
    )


@dataclass(frozen=True, slots=True)
class Verified:
    user_id: UUID
    company_id: UUID
    email: str
    approved: bool


async def consume_verification(session: AsyncSession, token_hash: str) -> Verified | None:
    # Before anyone acts for a tenant, so a SECURITY DEFINER function (migration 0009); one
    # statement finds and clears the secret, so a link works once even when followed twice at once.
    row = (
        await session.execute(text("SELECT * FROM pi_verify_email(:h)"), {"h": token_hash})
    ).first()
    return Verified(row.id, row.company_id, row.email, row.approved) if row else None


async def companies_by_domain(session: AsyncSession, domain: str) -> list[Company]:
    stmt = select(Company).where(
        text("lower(:d) = ANY (SELECT lower(x) FROM unnest(companies.domains) AS x)").bindparams(
            d=domain
        )
    )
    return list((await session.execute(stmt)).scalars())


async def companies_named(session: AsyncSession, name: str) -> list[Company]:
    stmt = select(Company).where(func.lower(Company.name) == name.strip().lower())
    return list((await session.execute(stmt)).scalars())
