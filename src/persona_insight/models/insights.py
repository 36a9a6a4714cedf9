"""Themes across a project's interviews (computed), researcher edits (kept apart), state."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from sqlalchemy import BigInteger, ForeignKey, LargeBinary, String, Text, func
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.orm import Mapped, mapped_column

from persona_insight.models.base import Base, created_at, uuid_pk


class InsightTheme(Base):
    __tablename__ = "insight_themes"

    id: Mapped[UUID] = uuid_pk()
    company_id: Mapped[UUID] = mapped_column(ForeignKey("companies.id"))
    project_id: Mapped[UUID] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))
    label: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    created_at: Mapped[dt.datetime] = created_at()
    updated_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    retired_at: Mapped[dt.datetime | None]


class InsightThemeEdit(Base):
    """A researcher's edits of one theme, applied over every recomputation."""

    __tablename__ = "insight_theme_edits"

    theme_id: Mapped[UUID] = mapped_column(
        ForeignKey("insight_themes.id", ondelete="CASCADE"), primary_key=True
    )
    company_id: Mapped[UUID] = mapped_column(ForeignKey("companies.id"))
    project_id: Mapped[UUID] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    label: Mapped[str | None] = mapped_column(Text)
    pinned: Mapped[bool] = mapped_column(server_default="false")
    hidden: Mapped[bool] = mapped_column(server_default="false")
    merged_into: Mapped[UUID | None] = mapped_column(
        ForeignKey("insight_themes.id", ondelete="SET NULL")
    )
    updated_by: Mapped[UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class InsightState(Base):
    __tablename__ = "insight_state"

    project_id: Mapped[UUID] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    company_id: Mapped[UUID] = mapped_column(ForeignKey("companies.id"))
    fingerprint: Mapped[str] = mapped_column(String(64), server_default="")
    interview_ids: Mapped[list[UUID]] = mapped_column(
        ARRAY(PG_UUID(as_uuid=True)), server_default="{}"
    )
    edit_version: Mapped[int] = mapped_column(BigInteger, server_default="0")
    version: Mapped[int] = mapped_column(BigInteger, server_default="0")
    computed_at: Mapped[dt.datetime | None]
    # interview id → {title, date, persona, language, keywords}: what filters and charts read.
    facts: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    summary_interview_ids: Mapped[list[UUID] | None] = mapped_column(ARRAY(PG_UUID(as_uuid=True)))
    summary_at: Mapped[dt.datetime | None]
    # What an incremental update needs (insights/incremental.py), a few MB for a large project:
    # deferred, so reading the state for a page does not load it.
    model: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
