"""Company configuration rules: engine selection (keys sealed, never shown), glossary, personas.

The engine settings a company stores override the instance's defaults field by field; the
merged `Settings` is what the analysis job builds its engine from.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from pydantic import SecretStr
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.accounts.repository import Authenticated
from persona_insight.admin.service import require_admin
from persona_insight.audit import service as audit
from persona_insight.companies import repository as repo
from persona_insight.companies.schemas import (
    AnalysisSettingsIn,
    AnalysisSettingsOut,
    GlossaryIn,
    PersonaIn,
    PersonaPatch,
)
from persona_insight.config import Settings
from persona_insight.crypto import box
from persona_insight.errors import Conflict, NotFound
from persona_insight.models import Company, GlossaryTerm, Persona
from persona_insight.personas import service as personas

PLAIN_FIELDS = (
    "llm_model",
    "llm_base_url",
    "llm_output_mode",
    "miso_base_url",
    "miso_variant",
    "miso_response_mode",
)
SECRET_FIELDS = ("llm_api_key", "miso_api_key")


def _secrets(company: Company, settings: Settings) -> dict[str, str]:
    if not company.engine_secrets:
        return {}
    opened = box(settings).open(company.engine_secrets, context=str(company.id))
    secrets: dict[str, str] = json.loads(opened)
    return secrets


def engine_settings(company: Company, settings: Settings) -> tuple[str, Settings]:
    """The engine name and the settings to build it from, for this company."""
    overrides: dict[str, Any] = {
        k: v for k, v in (company.engine_config or {}).items() if k in PLAIN_FIELDS and v
    }
    for key, value in _secrets(company, settings).items():
        if key in SECRET_FIELDS and value:
            overrides[key] = SecretStr(value)
    merged = settings.model_copy(update=overrides) if overrides else settings
    return company.analysis_engine or settings.analysis_engine, merged


def describe(company: Company, settings: Settings) -> AnalysisSettingsOut:
    config = company.engine_config or {}
    secrets = _secrets(company, settings)
    return AnalysisSettingsOut(
        engine=company.analysis_engine,
        default_engine=settings.analysis_engine,
        llm_model=config.get("llm_model"),
        llm_base_url=config.get("llm_base_url"),
        llm_output_mode=config.get("llm_output_mode"),
        llm_api_key_set=bool(secrets.get("llm_api_key")),
        miso_base_url=config.get("miso_base_url"),
        miso_variant=config.get("miso_variant"),
        miso_response_mode=config.get("miso_response_mode"),
        miso_api_key_set=bool(secrets.get("miso_api_key")),
    )


async def _own_company(session: AsyncSession, actor: Authenticated) -> Company:
    company = await repo.company(session, actor.company_id)
    if company is None:
        raise NotFound("no such company", code="company_not_found")
    return company


def apply_changes(
    company: Company,
    changes: dict[str, Any],
    settings: Settings,
    *,
    engine: str,
    config: str,
    plain: Iterable[str],
    keys: dict[str, str],
) -> None:
    """An admin's change to one of the company's engines (analysis or speech): the engine in
    column `engine`, the fields in `plain` in JSON column `config` (blank clears one), and the
    keys, field → name in the company's sealed secrets (blank removes one)."""
    if "engine" in changes:
        setattr(company, engine, changes["engine"])
    values = dict(getattr(company, config) or {})
    for field in plain:
        if field in changes:
            values[field] = changes[field] or None
    setattr(company, config, values)
    if not keys.keys() & changes.keys():
        return
    secrets = _secrets(company, settings)
    for field, name in keys.items():
        if field in changes:
            if changes[field]:
                secrets[name] = changes[field]
            else:
                secrets.pop(name, None)
    company.engine_secrets = (
        box(settings).seal(json.dumps(secrets), context=str(company.id)) if secrets else None
    )


async def configured_engine(
    session: AsyncSession, actor: Authenticated, settings: Settings
) -> tuple[str, Settings]:
    """The admin's company's engine and its settings (keys included), for a connection test."""
    require_admin(actor)
    return engine_settings(await _own_company(session, actor), settings)


async def analysis_settings(
    session: AsyncSession, actor: Authenticated, settings: Settings
) -> AnalysisSettingsOut:
    require_admin(actor)
    return describe(await _own_company(session, actor), settings)


async def update_analysis_settings(
    session: AsyncSession, actor: Authenticated, body: AnalysisSettingsIn, settings: Settings
) -> AnalysisSettingsOut:
    require_admin(actor)
    company = await _own_company(session, actor)
    changes = body.model_dump(exclude_unset=True)
    apply_changes(
        company,
        changes,
        settings,
        engine="analysis_engine",
        config="engine_config",
        plain=PLAIN_FIELDS,
        keys={key: key for key in SECRET_FIELDS},
    )
    await session.flush()
    # The audit entry names what changed, never a key's value.
    await audit.record(
        session,
        "engine_settings_changed",
        company_id=company.id,
        actor_id=actor.user_id,
        target_type="company",
        target_id=company.id,
        fields=sorted(changes),
    )
    return describe(company, settings)


async def add_term(session: AsyncSession, actor: Authenticated, body: GlossaryIn) -> GlossaryTerm:
    require_admin(actor)
    if await repo.term_named(session, actor.company_id, body.term) is not None:
        raise Conflict("the glossary already has this term", code="term_exists")
    term = GlossaryTerm(company_id=actor.company_id, term=body.term, definition=body.definition)
    try:
        await repo.add(session, term)
    except IntegrityError as exc:
        # Added twice at once: both passed the check above, the unique index lets one in.
        raise Conflict("the glossary already has this term", code="term_exists") from exc
    return term


async def delete_term(session: AsyncSession, actor: Authenticated, term_id: UUID) -> None:
    require_admin(actor)
    term = await repo.term(session, actor.company_id, term_id)
    if term is None:
        raise NotFound("no such term", code="term_not_found")
    await repo.delete(session, term)


async def add_persona(session: AsyncSession, actor: Authenticated, body: PersonaIn) -> Persona:
    return await personas.add_flat(session, actor, body.code, body.title, body.description)


async def update_persona(
    session: AsyncSession, actor: Authenticated, persona_id: UUID, body: PersonaPatch
) -> Persona:
    require_admin(actor)
    persona = await repo.persona(session, actor.company_id, persona_id)
    if persona is None:
        raise NotFound("no such persona", code="persona_not_found")
    for key, value in body.model_dump(exclude_unset=True).items():
        if value is not None:
            setattr(persona, key, value)
    await session.flush()
    return persona


async def delete_persona(session: AsyncSession, actor: Authenticated, persona_id: UUID) -> None:
    await personas.remove_flat(session, actor, persona_id)
