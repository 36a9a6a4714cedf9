"""Companies (the tenants), users, sign-in sessions and API tokens."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, func, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from persona_insight.models.base import Base, created_at, uuid_pk


class Company(Base):
    __tablename__ = "companies"

    id: Mapped[UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, server_default="")
    domains: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    is_active: Mapped[bool] = mapped_column(server_default=text("true"))
    # New members wait for a company admin's approval (after verifying their e-mail).
    require_approval: Mapped[bool] = mapped_column(server_default=text("false"))
    # Days a trashed interview stays restorable; null: the instance default.
    trash_retention_days: Mapped[int | None]
    analysis_engine: Mapped[str | None] = mapped_column(String(20))
    # Non-secret engine settings (model, base URLs, modes); keys are sealed in engine_secrets.
    engine_config: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    engine_secrets: Mapped[str | None] = mapped_column(Text)
    # Speech to text (migration 0022): `local` or `api`, null: the instance default; the api
    # engine's URL and model and the default language (its key is sealed in engine_secrets).
    speech_engine: Mapped[str | None] = mapped_column(String(20))
    speech_config: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    # The highest P-number its persona framework has given (migration 0036): never reused.
    persona_number: Mapped[int] = mapped_column(server_default=text("0"))
    created_at: Mapped[dt.datetime] = created_at()
    updated_at: Mapped[dt.datetime] = mapped_column(server_default=func.now(), onupdate=func.now())


class User(Base):
    __tablename__ = "users"
    __table_args__ = (Index("uq_users_email_lower", func.lower(text("email")), unique=True),)

    id: Mapped[UUID] = uuid_pk()
    company_id: Mapped[UUID] = mapped_column(ForeignKey("companies.id"), index=True)
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(20), server_default="company_user")
    is_active: Mapped[bool] = mapped_column(server_default=text("true"))
    locale: Mapped[str | None] = mapped_column(String(8))
    avatar_sha256: Mapped[str | None] = mapped_column(String(64))
    avatar_media_type: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = created_at()
    password_changed_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    # A signed-up account may sign in only once its mailbox is proven and, where the company
    # requires it, an admin approved it (migration 0009).
    email_verified_at: Mapped[dt.datetime | None] = mapped_column(server_default=func.now())
    approved_at: Mapped[dt.datetime | None] = mapped_column(server_default=func.now())
    verify_token_hash: Mapped[str | None] = mapped_column(String(64))
    verify_expires_at: Mapped[dt.datetime | None]


class AuthSession(Base):
    __tablename__ = "auth_sessions"

    id: Mapped[UUID] = uuid_pk()
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[UUID] = mapped_column(ForeignKey("companies.id"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = created_at()
    expires_at: Mapped[dt.datetime]
    last_seen_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(400))


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[UUID] = uuid_pk()
    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[UUID] = mapped_column(ForeignKey("companies.id"))
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = created_at()
    last_used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]


class LoginFailure(Base):
    """Failed sign-ins, keyed by a hash of the e-mail or the address, for throttling."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(80))
    at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class LoginKnown(Base):
    """(account, address) pairs that signed in, hashed: others' failures do not hold them back."""

    __tablename__ = "login_known"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class AuditEntry(Base):
    """Security-relevant actions; the application may insert and read, never change or delete."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_company_at", "company_id", "at"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    company_id: Mapped[UUID | None] = mapped_column(ForeignKey("companies.id"))
    actor_id: Mapped[UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(60))
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[str | None] = mapped_column(String(80))
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    ip: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    # Numbered per company at commit (migration 0009): what a company admin sees as the id.
    company_seq: Mapped[int | None] = mapped_column(BigInteger)
