"""Company configuration request and response bodies. Keys go in, never out."""

from __future__ import annotations

import datetime as dt
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator

from persona_insight.texts import Visible

EngineChoice = Literal["offline", "llm", "miso"]


def _http_url(value: str | None) -> str | None:
    if value is None or value == "":
        return value
    if not value.startswith(("http://", "https://")) or any(c.isspace() for c in value):
        raise ValueError("must be an http:// or https:// URL")
    return value.rstrip("/")


class AnalysisSettingsOut(BaseModel):
    engine: EngineChoice | None = Field(description="The company's engine; null: the default.")
    default_engine: EngineChoice
    llm_model: str | None
    llm_base_url: str | None
    llm_output_mode: Literal["tool", "native"] | None
    llm_api_key_set: bool
    miso_base_url: str | None
    miso_variant: Literal["dify", "miso"] | None
    miso_response_mode: Literal["blocking", "streaming"] | None
    miso_api_key_set: bool


class AnalysisSettingsIn(BaseModel):
    """Fields left out keep their value; an empty string clears a key or a URL."""

    model_config = ConfigDict(extra="forbid")

    engine: EngineChoice | None = None
    llm_model: str | None = Field(default=None, max_length=200)
    llm_base_url: str | None = Field(default=None, max_length=500)
    llm_output_mode: Literal["tool", "native"] | None = None
    llm_api_key: str | None = Field(default=None, max_length=500)
    miso_base_url: str | None = Field(default=None, max_length=500)
    miso_variant: Literal["dify", "miso"] | None = None
    miso_response_mode: Literal["blocking", "streaming"] | None = None
    miso_api_key: str | None = Field(default=None, max_length=500)

    _urls = field_validator("llm_base_url", "miso_base_url")(_http_url)


SpeechEngineChoice = Literal["local", "api"]


def _language(value: str | None) -> str | None:
    if value is None or value == "":
        return value
    value = value.strip().lower()
    if not (2 <= len(value) <= 3 and value.isascii() and value.isalpha()):
        raise ValueError("must be an ISO 639-1 code such as ko or en")
    return value


class SpeechSettingsOut(BaseModel):
    engine: SpeechEngineChoice | None = Field(
        description="The company's speech engine; null: the default."
    )
    default_engine: SpeechEngineChoice
    api_base_url: str | None
    api_model: str | None
    api_key_set: bool
    language: str | None = Field(description="Language forced on recordings; null: detected.")
    audio_leaves_machine: bool = Field(
        description="True when recordings are sent to the speech API (masking never applies)."
    )


class SpeechSettingsIn(BaseModel):
    """Fields left out keep their value; an empty string clears a key, a URL or the language."""

    model_config = ConfigDict(extra="forbid")

    engine: SpeechEngineChoice | None = None
    api_base_url: str | None = Field(default=None, max_length=500)
    api_model: str | None = Field(default=None, max_length=200)
    api_key: str | None = Field(default=None, max_length=500)
    language: str | None = Field(default=None, max_length=3)

    _urls = field_validator("api_base_url")(_http_url)
    _languages = field_validator("language")(_language)


class GlossaryIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    term: str = Field(min_length=1, max_length=200)
    definition: str = Field(min_length=1, max_length=5000)


class GlossaryOut(BaseModel):
    id: UUID
    term: str
    definition: str
    created_at: dt.datetime


class GlossaryList(BaseModel):
    items: list[GlossaryOut]


class PersonaIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.-]+$")
    title: Visible = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)


class PersonaPatch(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Visible | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)


class PersonaOut(BaseModel):
    id: UUID
    code: str
    title: str
    description: str
    created_at: dt.datetime


class PersonaList(BaseModel):
    items: list[PersonaOut]


class RetentionSettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    trash_retention_days: int | None = Field(
        ge=1, le=3650, description="Days trashed interviews stay restorable; null: the default."
    )


class RetentionSettings(RetentionSettingsIn):
    default_days: int = Field(
        description="The instance default (PERSONA_INSIGHT_TRASH_RETENTION_DAYS)."
    )
    effective_days: int = Field(description="What the purge job uses for this company.")


class MembershipSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    require_approval: StrictBool = Field(
        description="New members wait for a company admin's approval after verifying their e-mail."
    )


class PendingMember(BaseModel):
    id: UUID
    email: str
    name: str
    created_at: dt.datetime
    email_verified_at: dt.datetime | None


class PendingMemberList(BaseModel):
    items: list[PendingMember]
