"""The events outbox: one row per change, numbered gap-free per project.

`seq` comes from the project's counter row, incremented in the transaction that makes the change;
the row lock makes commit order equal `seq` order, so a reader never skips an id.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from sqlalchemy import BigInteger, ForeignKey, Index, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from persona_insight.models.base import Base


class ProjectEventCounter(Base):
    __tablename__ = "project_event_counters"

    project_id: Mapped[UUID] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    company_id: Mapped[UUID] = mapped_column(ForeignKey("companies.id"))
    last_seq: Mapped[int] = mapped_column(BigInteger, server_default="0")


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (Index("ix_events_created_at", "created_at"),)

    project_id: Mapped[UUID] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    company_id: Mapped[UUID] = mapped_column(ForeignKey("companies.id"))
    type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    actor_id: Mapped[UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(
        server_default=func.clock_timestamp(), nullable=False
    )


class SsePresence(Base):
    """Who is connected to which project, per server process (unlogged: it is rebuilt live)."""

    __tablename__ = "sse_presence"
    __table_args__ = {"prefixes": ["UNLOGGED"]}

    process_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    project_id: Mapped[UUID] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    connections: Mapped[int] = mapped_column(BigInteger)
    seen_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
