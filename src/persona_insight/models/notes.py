"""Notes: comments anchored to script lines of an analysed interview, with one level of replies."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from sqlalchemy import ForeignKey, Index, Integer, Text, func
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from persona_insight.models.base import Base, created_at, uuid_pk


class Note(Base):
    __tablename__ = "notes"
    __table_args__ = (Index("ix_notes_interview_created", "interview_id", "created_at"),)

    id: Mapped[UUID] = uuid_pk()
    company_id: Mapped[UUID] = mapped_column(ForeignKey("companies.id"))
    # The project is denormalised from the interview: events are appended per project, and a
    # note's project must be known without a join when it is deleted.
    project_id: Mapped[UUID] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    interview_id: Mapped[UUID] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"))
    parent_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("notes.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    line_ids: Mapped[list[int]] = mapped_column(ARRAY(Integer))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = created_at()
    updated_at: Mapped[dt.datetime] = mapped_column(server_default=func.now(), onupdate=func.now())
