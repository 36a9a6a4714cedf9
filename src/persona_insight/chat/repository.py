"""SQL for conversations, their messages, summaries and the company's chat budget. Row-level
security decides which conversations a reader sees (shared ones, or their own)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

_CONVERSATION = (
    "SELECT c.id, c.company_id, c.project_id, c.author_id, c.title, c.persona_codes, c.shared,"
    " c.external_ids, c.created_at, c.updated_at,"
    " (SELECT count(*) FROM chat_messages m WHERE m.conversation_id = c.id) AS messages"
    " FROM conversations c"
)
_MESSAGE = (
    "SELECT id, conversation_id, project_id, role, persona_code, author_id, content, citations,"
    " events, engine, model, usage, latency_ms, status, created_at FROM chat_messages"
)

_LATEST_MESSAGES = (
    f"SELECT * FROM ({_MESSAGE} WHERE conversation_id = :c"  # noqa: S608
    " ORDER BY created_at DESC LIMIT :n) m ORDER BY created_at"
)


@dataclass(frozen=True, slots=True)
class PersonaRow:
    id: UUID
    code: str
    title: str
    description: str


async def create_conversation(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(
        text(
            "INSERT INTO conversations (id, company_id, project_id, author_id, title,"
            " persona_codes, shared) VALUES (:id, :company_id, :project_id, :author_id, :title,"
            " :persona_codes, :shared)"
        ),
        values,
    )


async def conversation(session: AsyncSession, conversation_id: UUID, *, lock: bool = False) -> Any:
    sql = _CONVERSATION + " WHERE c.id = :id" + (" FOR UPDATE OF c" if lock else "")
    return (await session.execute(text(sql), {"id": conversation_id})).first()


async def conversations(session: AsyncSession, project_id: UUID, limit: int = 200) -> list[Any]:
    result = await session.execute(
        text(_CONVERSATION + " WHERE c.project_id = :p ORDER BY c.updated_at DESC LIMIT :n"),
        {"p": project_id, "n": limit},
    )
    return list(result)


async def update_conversation(
    session: AsyncSession, conversation_id: UUID, changes: dict[str, Any]
) -> None:
    allowed = {"title", "shared", "persona_codes"}
    sets = [f"{key} = :{key}" for key in changes if key in allowed]
    if "external_ids" in changes:
        sets.append("external_ids = CAST(:external_ids AS jsonb)")
        changes = {**changes, "external_ids": json.dumps(changes["external_ids"])}
    sets.append("updated_at = now()")
    await session.execute(
        # Column names come from the fixed set above; every value is bound.
        text(f"UPDATE conversations SET {', '.join(sets)} WHERE id = :id"),  # noqa: S608
        {**changes, "id": conversation_id},
    )


async def delete_conversation(session: AsyncSession, conversation_id: UUID) -> None:
    await session.execute(text("DELETE FROM conversations WHERE id = :id"), {"id": conversation_id})


async def add_message(session: AsyncSession, values: dict[str, Any]) -> None:
    row = {
        "citations": [],
        "events": [],
        "engine": None,
        "model": None,
        "usage": {},
        "latency_ms": None,
        "persona_code": None,
        "author_id": None,
        **values,
    }
    for key in ("citations", "events", "usage"):
        row[key] = json.dumps(row[key], ensure_ascii=False)
    await session.execute(
        text(
            "INSERT INTO chat_messages (id, conversation_id, company_id, project_id, role,"
            " persona_code, author_id, content, citations, events, engine, model, usage,"
            " latency_ms) VALUES (:id, :conversation_id, :company_id, :project_id, :role,"
            " :persona_code, :author_id, :content, CAST(:citations AS jsonb),"
            " CAST(:events AS jsonb), :engine, :model, CAST(:usage AS jsonb), :latency_ms)"
        ),
        row,
    )
    await session.execute(
        text("UPDATE conversations SET updated_at = now() WHERE id = :id"),
        {"id": row["conversation_id"]},
    )


async def messages(session: AsyncSession, conversation_id: UUID, limit: int = 500) -> list[Any]:
    result = await session.execute(
        text(_LATEST_MESSAGES),
        {"c": conversation_id, "n": limit},
    )
    return list(result)


async def message(session: AsyncSession, message_id: UUID) -> Any:
    return (await session.execute(text(_MESSAGE + " WHERE id = :id"), {"id": message_id})).first()


async def personas(session: AsyncSession, company_id: UUID) -> list[PersonaRow]:
    result = await session.execute(
        text(
            "SELECT id, code, title, description FROM personas"
            " WHERE company_id = :c AND enabled ORDER BY code"
        ),
        {"c": company_id},
    )
    return [PersonaRow(r.id, r.code, r.title, r.description or "") for r in result]


async def persona_interviews(
    session: AsyncSession, project_id: UUID, codes: Sequence[str]
) -> dict[str, list[UUID]]:
    """The live, analysed interviews of the project placed on each persona."""
    result = await session.execute(
        text(
            "SELECT persona_code, id FROM interviews WHERE project_id = :p"
            " AND persona_code = ANY(:codes) AND status = 'completed' AND deleted_at IS NULL"
            " ORDER BY created_at"
        ),
        {"p": project_id, "codes": list(codes)},
    )
    out: dict[str, list[UUID]] = {code: [] for code in codes}
    for row in result:
        out[row.persona_code].append(row.id)
    return out


async def latest_profile(session: AsyncSession, persona_id: UUID, project_id: UUID) -> Any:
    """The newest synthesised profile of a persona in a project (None before the first)."""
    return (
        await session.execute(
            text(
                "SELECT * FROM persona_profiles WHERE persona_id = :p"
                " AND (project_id = :project OR project_id IS NULL)"
                " ORDER BY version DESC LIMIT 1"
            ),
            {"p": persona_id, "project": project_id},
        )
    ).first()


async def save_summary(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(
        text(
            "INSERT INTO chat_summaries (conversation_id, company_id, project_id, result,"
            " message_count) VALUES (:conversation_id, :company_id, :project_id,"
            " CAST(:result AS jsonb), :message_count) ON CONFLICT (conversation_id) DO UPDATE"
            " SET result = EXCLUDED.result, message_count = EXCLUDED.message_count,"
            " created_at = now()"
        ),
        {**values, "result": json.dumps(values["result"], ensure_ascii=False)},
    )


async def summary(session: AsyncSession, conversation_id: UUID) -> Any:
    return (
        await session.execute(
            text("SELECT * FROM chat_summaries WHERE conversation_id = :c"),
            {"c": conversation_id},
        )
    ).first()


def _month(now: dt.datetime) -> dt.date:
    return now.date().replace(day=1)


async def add_usage(session: AsyncSession, company_id: UUID, tokens: int, now: dt.datetime) -> None:
    await session.execute(
        text(
            "INSERT INTO chat_usage (company_id, month, tokens) VALUES (:c, :m, :t)"
            " ON CONFLICT (company_id, month) DO UPDATE"
            " SET tokens = chat_usage.tokens + EXCLUDED.tokens"
        ),
        {"c": company_id, "m": _month(now), "t": tokens},
    )


async def budget(
    session: AsyncSession, company_id: UUID, now: dt.datetime
) -> tuple[int | None, int]:
    """(monthly token budget or None, tokens used this month)."""
    row = (
        await session.execute(
            text(
                "SELECT c.chat_monthly_tokens AS budget, coalesce(u.tokens, 0) AS used"
                " FROM companies c LEFT JOIN chat_usage u ON u.company_id = c.id"
                " AND u.month = :m WHERE c.id = :c"
            ),
            {"c": company_id, "m": _month(now)},
        )
    ).first()
    if row is None:
        return None, 0
    return row.budget, int(row.used)


async def set_budget(session: AsyncSession, company_id: UUID, tokens: int | None) -> None:
    await session.execute(
        text("UPDATE companies SET chat_monthly_tokens = :t WHERE id = :c"),
        {"c": company_id, "t": tokens},
    )
