"""Project request and response bodies."""

from __future__ import annotations

import datetime as dt
from typing import Literal, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator

Visibility = Literal["public", "private"]
JoinMethod = Literal["open", "invite_only", "password"]
ProjectRole = Literal["owner", "admin", "member"]


class ProjectCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    purpose: str = Field(default="", max_length=5000)
    target_audience: str = Field(default="", max_length=2000)
    research_method: str = Field(default="", max_length=2000)
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    visibility: Visibility = "private"
    join_method: JoinMethod = "invite_only"
    password: str | None = Field(default=None, min_length=8, max_length=200)

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        if self.join_method == "password" and not self.password:
            raise ValueError("a password is required when join_method is 'password'")
        return self


class ProjectOut(BaseModel):
    id: UUID
    name: str
    description: str
    purpose: str
    target_audience: str
    research_method: str
    start_date: dt.date | None
    end_date: dt.date | None
    visibility: Visibility
    join_method: JoinMethod
    owner_id: UUID
    created_at: dt.datetime
    updated_at: dt.datetime
    my_role: ProjectRole | None = Field(description="The caller's role; null when not a member.")


class ProjectList(BaseModel):
    items: list[ProjectOut]


class ProjectPatch(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    purpose: str | None = Field(default=None, max_length=5000)
    target_audience: str | None = Field(default=None, max_length=2000)
    research_method: str | None = Field(default=None, max_length=2000)
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    visibility: Visibility | None = None
    join_method: JoinMethod | None = None
    password: str | None = Field(default=None, min_length=8, max_length=200)


class MemberOut(BaseModel):
    user_id: UUID
    name: str
    email: str
    role: ProjectRole
    joined_at: dt.datetime
    has_avatar: bool = Field(
        default=False, description="`GET /api/users/{user_id}/avatar` has a picture."
    )


class MemberList(BaseModel):
    items: list[MemberOut]


class MemberRolePatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["admin", "member"] = Field(
        description="Ownership moves only through POST …/transfer."
    )


class TransferIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: UUID


class JoinIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: str | None = Field(default=None, max_length=200)


class InvitationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["admin", "member"] = "member"
    # Strict: JSON `true` is not one hour (the invitation form converts its text first).
    expires_in_hours: StrictInt = Field(default=168, ge=1, le=24 * 90)


class InvitationOut(BaseModel):
    id: UUID
    role: Literal["admin", "member"]
    created_by: UUID | None
    created_at: dt.datetime
    expires_at: dt.datetime
    uses: int
    revoked_at: dt.datetime | None


class InvitationCreated(InvitationOut):
    token: str = Field(description="Shown only in this answer.")
    url: str = Field(description="The link to send; opening it signed in joins the project.")


class InvitationList(BaseModel):
    items: list[InvitationOut]


class EraseIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    project_name: str = Field(
        max_length=200, description="The project's name, typed again to confirm the erasure."
    )
