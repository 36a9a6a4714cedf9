"""Interviews, their stored original file, and the analysis result."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from persona_insight.models.base import Base, created_at, uuid_pk


class Interview(Base):
    __tablename__ = "interviews"
    __table_args__ = (
        Index("ix_interviews_project_created", "project_id", text("created_at DESC"), "id"),
        Index("ix_interviews_status", "status", postgresql_where=text("deleted_at IS NULL")),
    )

    id: Mapped[UUID] = uuid_pk()
    company_id: Mapped[UUID] = mapped_column(ForeignKey("companies.id"))
    project_id: Mapped[UUID] = mapped_column(ForeignKey("projects.id"))
    title: Mapped[str] = mapped_column(String(300))
    # user | file | text | derived: only a title the user did not type is replaced by the
    # derived one (interviews.titles) when the analysis is stored.
    title_source: Mapped[str] = mapped_column(String(8), server_default="user")
    interview_date: Mapped[dt.date | None]
    # user | transcript | document | file | upload (interviews.titles.choose_date)
    interview_date_source: Mapped[str | None] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(12))
    source: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8))
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    file_name: Mapped[str | None] = mapped_column(String(300))
    file_media_type: Mapped[str | None] = mapped_column(String(120))
    file_size: Mapped[int | None] = mapped_column(BigInteger)
    file_encoding: Mapped[str | None] = mapped_column(String(40))
    attempts: Mapped[int] = mapped_column(Integer, server_default="1")
    error: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    engine: Mapped[str | None] = mapped_column(String(20))
    pain_point_count: Mapped[int | None] = mapped_column(Integer)
    need_count: Mapped[int | None] = mapped_column(Integer)
    persona_code: Mapped[str | None] = mapped_column(String(40))
    # Speaker → "interviewer" | "interviewee" as a researcher fixed them; the analysis job
    # parses the transcript with these roles instead of deciding them.
    speaker_roles: Mapped[dict[str, str] | None] = mapped_column(JSONB)
    # A recording's transcription: engine, duration_ms, speakers, speaker_confidence.
    speech: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    created_by: Mapped[UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = created_at()
    updated_at: Mapped[dt.datetime] = mapped_column(server_default=func.now(), onupdate=func.now())
    status_changed_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    completed_at: Mapped[dt.datetime | None]
    deleted_at: Mapped[dt.datetime | None]
    deleted_by: Mapped[UUID | None] = mapped_column(ForeignKey("users.id"))


class InterviewAnalysis(Base):
    __tablename__ = "interview_analyses"

    interview_id: Mapped[UUID] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), primary_key=True
    )
    company_id: Mapped[UUID] = mapped_column(ForeignKey("companies.id"))
    engine: Mapped[str] = mapped_column(String(20))
    model: Mapped[str | None] = mapped_column(String(200))
    result: Mapped[dict[str, Any]] = mapped_column(JSONB)
    repairs: Mapped[list[Any]] = mapped_column(JSONB, server_default="[]")
    usage: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    duration_ms: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = created_at()


class InterviewTerm(Base):
    """Distinct nouns of an analysed interview: the company's corpus for TF-IDF keywords."""

    __tablename__ = "interview_terms"
    __table_args__ = (Index("ix_interview_terms_company_term", "company_id", "term"),)

    interview_id: Mapped[UUID] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), primary_key=True
    )
    term: Mapped[str] = mapped_column(String(100), primary_key=True)
    company_id: Mapped[UUID] = mapped_column(ForeignKey("companies.id"))
