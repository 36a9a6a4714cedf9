"""Account request and response bodies."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

Role = Literal["super_admin", "company_admin", "company_user"]


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1024)


class CompanyRef(BaseModel):
    id: UUID
    name: str


class MeOut(BaseModel):
    id: UUID
    email: str
    name: str
    role: Role
    locale: str | None
    company: CompanyRef
    csrf_token: str | None = Field(
        description="Send as X-CSRF-Token on state-changing requests authenticated by cookie."
    )


class LoginOut(BaseModel):
    user: MeOut
    csrf_token: str
