"""A company's persona framework (axes, types) and what ties interviews and profiles to it.

The persona combinations themselves stay in `personas` (`company_knowledge.Persona`)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from sqlalchemy import ARRAY, Float, ForeignKey, Integer, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.orm import Mapped, mapped_column

from persona_insight.models.base import Base, created_at, uuid_pk


class PersonaAxis(Base):
    __tablename__ = "persona_axes"

    id: Mapped[UUID] = uuid_pk()
    company_id: Mapped[UUID] = mapped_column(ForeignKey("companies.id"))
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, server_default="")
    position: Mapped[int] = mapped_column(Integer, server_default="0")
    created_at: Mapped[dt.datetime] = created_at()


class PersonaType(Base):
    __tablename__ = "persona_types"

    id: Mapped[UUID] = uuid_pk()
    company_id: Mapped[UUID] = mapped_column(ForeignKey("companies.id"))
    axis_id: Mapped[UUID] = mapped_column(ForeignKey("persona_axes.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, server_default="")
    position: Mapped[int] = mapped_column(Integer, server_default="0")
    created_at: Mapped[dt.datetime] = created_at()


class PersonaFocus(Base):
    __tablename__ = "persona_focus"

    project_id: Mapped[UUID] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    persona_id: Mapped[UUID] = mapped_column(
        ForeignKey("personas.id", ondelete="CASCADE"), primary_key=True
    )
    company_id: Mapped[UUID] = mapped_column(ForeignKey("companies.id"))


class InterviewPlacement(Base):
    """Where an interviewee sits on one axis; `type_id` None is "unclear"."""

    __tablename__ = "interview_placements"

    interview_id: Mapped[UUID] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), primary_key=True
    )
    axis_id: Mapped[UUID] = mapped_column(
        ForeignKey("persona_axes.id", ondelete="CASCADE"), primary_key=True
    )
    company_id: Mapped[UUID] = mapped_column(ForeignKey("companies.id"))
    project_id: Mapped[UUID] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    type_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("persona_types.id", ondelete="SET NULL")
    )
    confidence: Mapped[float] = mapped_column(Float, server_default="0")
    line_ids: Mapped[list[int]] = mapped_column(ARRAY(Integer), server_default="{}")
    source: Mapped[str] = mapped_column(String(8), server_default="analysis")
    reason: Mapped[str | None] = mapped_column(Text)
    set_by: Mapped[UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(server_default=func.now(), onupdate=func.now())


class InterviewPersonaChoice(Base):
    """A researcher's persona for an interview (None: "no persona fits"); wins over analysis."""

    __tablename__ = "interview_persona_choices"

    interview_id: Mapped[UUID] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), primary_key=True
    )
    company_id: Mapped[UUID] = mapped_column(ForeignKey("companies.id"))
    project_id: Mapped[UUID] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    persona_code: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(Text)
    set_by: Mapped[UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    set_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class PersonaProfile(Base):
    """One synthesised version of a persona's profile within a project."""

    __tablename__ = "persona_profiles"

    id: Mapped[UUID] = uuid_pk()
    persona_id: Mapped[UUID] = mapped_column(ForeignKey("personas.id", ondelete="CASCADE"))
    company_id: Mapped[UUID] = mapped_column(ForeignKey("companies.id"))
    project_id: Mapped[UUID] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    profile: Mapped[dict[str, Any]] = mapped_column(JSONB)
    interview_ids: Mapped[list[UUID]] = mapped_column(
        ARRAY(PG_UUID(as_uuid=True)), server_default="{}"
    )
    fingerprint: Mapped[str] = mapped_column(String(64))
    engine: Mapped[str] = mapped_column(String(20))
    usage: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    created_at: Mapped[dt.datetime] = created_at()
