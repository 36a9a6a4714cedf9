"""Account request and response bodies."""

from __future__ import annotations

import datetime as dt
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from persona_insight.texts import Visible

Role = Literal["super_admin", "company_admin", "company_user"]


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1024)


class SignupIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=8, max_length=1024)
    name: str = Field(min_length=1, max_length=200)


class SignupOut(BaseModel):
    email: str = Field(description="The address as stored (lower case, IDNA domain).")
    verification_sent: bool = Field(
        description="The verification link was handed to the mail server (false: it could not "
        "be; signing in with the password sends a new one)."
    )


class VerifyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=1, max_length=200)


class VerifyOut(BaseModel):
    email: str
    approval_pending: bool = Field(
        description="The company requires an admin's approval before the account may sign in."
    )


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
    has_avatar: bool = False
    csrf_token: str | None = Field(
        description="Send as X-CSRF-Token on state-changing requests authenticated by cookie."
    )


class LoginOut(BaseModel):
    user: MeOut
    csrf_token: str


class ProfilePatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    locale: Literal["ko", "en"] | None = None


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=8, max_length=1024)
    keep_api_tokens: StrictBool = Field(
        default=False, description="Keep my API tokens working (by default they are revoked)."
    )


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Visible = Field(min_length=1, max_length=200)


class TokenOut(BaseModel):
    id: UUID
    name: str
    prefix: str = Field(description="The first characters of the token, to recognise it.")
    created_at: dt.datetime
    last_used_at: dt.datetime | None


class TokenCreated(TokenOut):
    token: str = Field(description="The secret: shown only in this answer, store it now.")


class TokenList(BaseModel):
    items: list[TokenOut]
