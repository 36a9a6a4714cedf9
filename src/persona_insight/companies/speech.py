"""A company's speech-to-text settings: `local` or `api`, the api engine's URL, model and key
(sealed with the analysis engines' keys, never shown), and the language forced on recordings.

Like the analysis settings they override the instance's `speech_*` settings field by field;
`merged` is what the transcription job builds its engine from.
"""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.accounts.repository import Authenticated
from persona_insight.admin.service import require_admin
from persona_insight.audit import service as audit
from persona_insight.companies.schemas import SpeechSettingsIn, SpeechSettingsOut

# The company and its sealed keys are read as for the analysis engine's settings.
from persona_insight.companies.service import _own_company, _secrets, apply_changes
from persona_insight.config import Settings
from persona_insight.errors import InvalidInput
from persona_insight.models import Company

# The stored field → the instance setting it overrides.
PLAIN_FIELDS = {
    "api_base_url": "speech_api_base_url",
    "api_model": "speech_api_model",
    "language": "speech_language",
}
# Sealed beside the analysis keys, under a name of its own.
KEY_NAME = "speech_api_key"


def merged(company: Company, settings: Settings) -> Settings:
    """The instance settings with this company's speech settings on top."""
    config = company.speech_config or {}
    overrides: dict[str, Any] = {
        setting: config[field] for field, setting in PLAIN_FIELDS.items() if config.get(field)
    }
    if company.speech_engine:
        overrides["speech_engine"] = company.speech_engine
    key = _secrets(company, settings).get(KEY_NAME)
    if key:
        overrides["speech_api_key"] = SecretStr(key)
    return settings.model_copy(update=overrides) if overrides else settings


def describe(company: Company, settings: Settings) -> SpeechSettingsOut:
    config = company.speech_config or {}
    effective = merged(company, settings)
    return SpeechSettingsOut(
        engine=company.speech_engine,
        default_engine=settings.speech_engine,
        api_base_url=config.get("api_base_url"),
        api_model=config.get("api_model"),
        api_key_set=bool(_secrets(company, settings).get(KEY_NAME)),
        language=config.get("language"),
        audio_leaves_machine=effective.speech_engine == "api",
    )


async def get(session: AsyncSession, actor: Authenticated, settings: Settings) -> SpeechSettingsOut:
    require_admin(actor)
    return describe(await _own_company(session, actor), settings)


async def put(
    session: AsyncSession, actor: Authenticated, body: SpeechSettingsIn, settings: Settings
) -> SpeechSettingsOut:
    require_admin(actor)
    company = await _own_company(session, actor)
    changes = body.model_dump(exclude_unset=True)
    apply_changes(
        company,
        changes,
        settings,
        engine="speech_engine",
        config="speech_config",
        plain=PLAIN_FIELDS,
        keys={"api_key": KEY_NAME},
    )
    if (
        merged(company, settings).speech_engine == "api"
        and not merged(company, settings).speech_api_base_url
    ):
        # Refused here rather than failing every recording later; the request rolls back.
        raise InvalidInput(
            "the api speech engine needs the address of the speech API",
            code="speech_api_url_required",
        )
    await session.flush()
    # The audit entry names what changed, never the key.
    await audit.record(
        session,
        "speech_settings_changed",
        company_id=company.id,
        actor_id=actor.user_id,
        target_type="company",
        target_id=company.id,
        fields=sorted(changes),
    )
    return describe(company, settings)
