"""Declarative base shared by every table; Alembic reads `Base.metadata`."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from sqlalchemy import DateTime, MetaData, func
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from persona_insight.ids import uuid7

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dt.datetime: DateTime(timezone=True), UUID: PG_UUID(as_uuid=True)}
    # Fetch server-generated values (timestamps) with RETURNING on insert and update, so that no
    # attribute is left expired: an async session must never lazy-load behind our back.
    __mapper_args__ = {"eager_defaults": True}


def uuid_pk() -> Mapped[UUID]:
    return mapped_column(primary_key=True, default=uuid7)


def created_at() -> Mapped[dt.datetime]:
    return mapped_column(server_default=func.now(), nullable=False)
