"""Recording security-relevant actions. Never commits: the entry lands with the action or not."""

from __future__ import annotations

from typing import Any, Final
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.audit import repository as repo

ACTIONS: Final = frozenset(
    {
        "login",
        "login_failed",
        "logout",
        "signup",
        "email_verified",
        "member_approved",
        "member_denied",
        "password_changed",
        "role_changed",
        "user_updated",
        "user_deactivated",
        "user_reactivated",
        "token_created",
        "token_revoked",
        "company_created",
        "company_updated",
        "company_deactivated",
        "engine_settings_changed",
        "speech_settings_changed",
        "project_deleted",
        "project_erased",
        "member_role_changed",
        "ownership_transferred",
        "interview_purged",
        "export",
        "persona_framework_changed",
        "persona_assigned",
        "insight_theme_edited",
        "insight_finding_moved",
        "chat_conversation_deleted",
        "chat_budget_set",
    }
)


async def record(
    session: AsyncSession,
    action: str,
    *,
    company_id: UUID | None,
    actor_id: UUID | None,
    target_type: str | None = None,
    target_id: object = None,
    ip: str | None = None,
    **details: Any,
) -> None:
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    await repo.add(
        session,
        {
            "company_id": company_id,
            "actor_id": actor_id,
            "action": action,
            "target_type": target_type,
            "target_id": str(target_id) if target_id is not None else None,
            "details": details,
            "ip": ip,
        },
    )
