"""Administration request and response bodies."""

from __future__ import annotations

import datetime as dt
from typing import Any, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator, model_validator

from persona_insight.accounts.schemas import Role


def _domains(values: list[str]) -> list[str]:
    out = []
    for value in values:
        domain = value.strip().lower().lstrip("@")
        if not domain or "." not in domain or any(c.isspace() or c == "@" for c in domain):
            raise ValueError(f"{value!r} is not a domain")
        out.append(domain)
    return sorted(set(out))


class CompanyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    domains: list[str] = Field(default_factory=list, max_length=50)

    _check_domains = field_validator("domains")(_domains)


class CompanyPatch(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    domains: list[str] | None = Field(default=None, max_length=50)
    is_active: StrictBool | None = None

    @field_validator("domains")
    @classmethod
    def _check(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _domains(value)

    @model_validator(mode="after")
    def _no_nulls(self) -> Self:
        # Left out means "unchanged"; every column behind these fields requires a value.
        nulls = sorted(k for k in self.model_fields_set if getattr(self, k) is None)
        if nulls:
            raise ValueError(f"{', '.join(nulls)} cannot be null")
        return self


class CompanyOut(BaseModel):
    id: UUID
    name: str
    description: str
    domains: list[str]
    is_active: bool
    created_at: dt.datetime
    user_count: int = 0


class CompanyList(BaseModel):
    items: list[CompanyOut]


class UserOut(BaseModel):
    id: UUID
    company_id: UUID
    email: str
    name: str
    role: Role
    is_active: bool
    locale: str | None
    created_at: dt.datetime


class UserList(BaseModel):
    items: list[UserOut]


class UserPatch(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(default=None, min_length=1, max_length=200)
    role: Role | None = None
    company_id: UUID | None = None
    is_active: StrictBool | None = None


class AuditOut(BaseModel):
    id: int
    company_id: UUID | None
    actor_id: UUID | None
    action: str
    target_type: str | None
    target_id: str | None
    details: dict[str, Any]
    ip: str | None
    at: dt.datetime


class AuditPage(BaseModel):
    items: list[AuditOut]
    next_before: int | None = Field(description="Pass as `before` for older entries.")
