"""What a company tells the analysis: its glossary and its personas."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from sqlalchemy import ARRAY, ForeignKey, Index, LargeBinary, String, Text, func, text
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.orm import Mapped, mapped_column

from persona_insight.models.base import Base, created_at, uuid_pk


class GlossaryTerm(Base):
    __tablename__ = "glossary_terms"
    __table_args__ = (
        Index(
            "uq_glossary_terms_company_term", "company_id", func.lower(text("term")), unique=True
        ),
    )

    id: Mapped[UUID] = uuid_pk()
    company_id: Mapped[UUID] = mapped_column(ForeignKey("companies.id"))
    term: Mapped[str] = mapped_column(String(200))
    definition: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = created_at()


class Persona(Base):
    """A persona of the company's framework: one combination of types (one per axis, sorted
    ids in `type_ids`); the analysis places interviews on it by its code."""

    __tablename__ = "personas"
    __table_args__ = (Index("uq_personas_company_code", "company_id", "code", unique=True),)

    id: Mapped[UUID] = uuid_pk()
    company_id: Mapped[UUID] = mapped_column(ForeignKey("companies.id"))
    code: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, server_default="")
    created_at: Mapped[dt.datetime] = created_at()
    type_ids: Mapped[list[UUID]] = mapped_column(ARRAY(PG_UUID(as_uuid=True)), server_default="{}")
    enabled: Mapped[bool] = mapped_column(server_default=text("true"))
    picture: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    picture_type: Mapped[str | None] = mapped_column(String(40))
    updated_at: Mapped[dt.datetime] = mapped_column(server_default=func.now(), onupdate=func.now())
