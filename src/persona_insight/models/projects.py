"""Projects inside a company and their members."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from sqlalchemy import ForeignKey, String, Text, func
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.orm import Mapped, mapped_column

from persona_insight.models.base import Base, created_at, uuid_pk


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[UUID] = uuid_pk()
    company_id: Mapped[UUID] = mapped_column(ForeignKey("companies.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, server_default="")
    purpose: Mapped[str] = mapped_column(Text, server_default="")
    target_audience: Mapped[str] = mapped_column(Text, server_default="")
    research_method: Mapped[str] = mapped_column(Text, server_default="")
    start_date: Mapped[dt.date | None]
    end_date: Mapped[dt.date | None]
    visibility: Mapped[str] = mapped_column(String(10), server_default="private")
    join_method: Mapped[str] = mapped_column(String(20), server_default="invite_only")
    password_hash: Mapped[str | None] = mapped_column(Text)
    owner_id: Mapped[UUID] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = created_at()
    updated_at: Mapped[dt.datetime] = mapped_column(server_default=func.now(), onupdate=func.now())
    deleted_at: Mapped[dt.datetime | None]


class ProjectMember(Base):
    __tablename__ = "project_members"

    project_id: Mapped[UUID] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    company_id: Mapped[UUID] = mapped_column(ForeignKey("companies.id"))
    role: Mapped[str] = mapped_column(String(10), server_default="member")
    joined_at: Mapped[dt.datetime] = created_at()


class ProjectInvitation(Base):
    """A link that lets whoever holds it join the project until it expires or is revoked."""

    __tablename__ = "project_invitations"

    id: Mapped[UUID] = uuid_pk()
    company_id: Mapped[UUID] = mapped_column(ForeignKey("companies.id"))
    project_id: Mapped[UUID] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(10), server_default="member")
    created_by: Mapped[UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = created_at()
    expires_at: Mapped[dt.datetime]
    uses: Mapped[int] = mapped_column(server_default="0")
    revoked_at: Mapped[dt.datetime | None]
    # Who joined with the link: a member removed later cannot use it again (a new link is needed).
    used_by: Mapped[list[UUID]] = mapped_column(ARRAY(PgUUID(as_uuid=True)), server_default="{}")
