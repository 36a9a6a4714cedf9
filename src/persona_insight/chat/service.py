"""Conversations and the rules of a chat message: who may write, which personas answer, the
limits. Never commits: the request's unit of work does."""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.accounts.repository import Authenticated
from persona_insight.audit import service as audit
from persona_insight.chat import repository as repo
from persona_insight.chat.engines import PersonaEngine
from persona_insight.chat.produce import ChatRun, Responder, message_event
from persona_insight.chat.repository import PersonaRow
from persona_insight.chat.schemas import (
    MAX_MESSAGE,
    BudgetOut,
    ChatIn,
    ConversationDetail,
    ConversationOut,
    ConversationPatch,
    MessageOut,
)
from persona_insight.config import Settings
from persona_insight.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    RateLimited,
    storable_text,
)
from persona_insight.ids import uuid7
from persona_insight.projects.service import require_access
from persona_insight.realtime import events
from persona_insight.realtime.latency import ReportLimiter
from persona_insight.search import answer_stream as stream
from persona_insight.search.ask import is_korean

_MENTION = re.compile(r"(?<![\w@])@([A-Za-z][A-Za-z0-9_-]{0,39})")
HISTORY = 10

USER_LIMITER = ReportLimiter()
COMPANY_LIMITER = ReportLimiter()


def clean_message(message: str) -> str:
    message = storable_text(message.strip(), "message")
    if not message:
        raise InvalidInput("the message is empty", code="empty_message")
    if len(message) > MAX_MESSAGE:
        raise InvalidInput(
            f"a message has at most {MAX_MESSAGE} characters",
            code="message_too_long",
            details={"max": MAX_MESSAGE},
        )
    return message


def mentions(message: str, extra: list[str]) -> list[str]:
    """Persona codes mentioned as `@P3` in the text, then those given apart, in order, once."""
    found = [m.group(1) for m in _MENTION.finditer(message)] + [c.lstrip("@") for c in extra]
    return list(dict.fromkeys(code.upper() for code in found))


def check_rate(user: Authenticated, settings: Settings) -> None:
    now = time.time()
    if not USER_LIMITER.allow(user.user_id, settings.chat_messages_per_minute, now):
        raise RateLimited(
            f"at most {settings.chat_messages_per_minute} chat messages a minute",
            code="too_many_messages",
            headers={"Retry-After": str(USER_LIMITER.retry_after(user.user_id, now))},
        )
    if not COMPANY_LIMITER.allow(user.company_id, settings.chat_company_messages_per_minute, now):
        raise RateLimited(
            "the company's chat messages for this minute are used up",
            code="company_too_many_messages",
            headers={"Retry-After": str(COMPANY_LIMITER.retry_after(user.company_id, now))},
        )


async def check_budget(session: AsyncSession, company_id: UUID) -> None:
    now = dt.datetime.now(dt.UTC)
    budget, used = await repo.budget(session, company_id, now)
    if budget is not None and used >= budget:
        first = (now.replace(day=1) + dt.timedelta(days=32)).replace(
            day=1, hour=0, minute=0, second=0, microsecond=0
        )
        raise RateLimited(
            "the company's monthly chat token budget is used up",
            code="chat_budget_exhausted",
            details={"budget": budget, "used": used},
            headers={"Retry-After": str(int((first - now).total_seconds()))},
        )


def _by_code(personas: list[PersonaRow], codes: list[str]) -> list[PersonaRow]:
    known = {p.code.upper(): p for p in personas}
    missing = [c for c in codes if c.upper() not in known]
    if missing:
        raise InvalidInput(
            f"this project has no persona {', '.join(missing)}",
            code="unknown_persona",
            details={"personas": missing},
        )
    return [known[c.upper()] for c in codes]


def conversation_out(row: Any) -> ConversationOut:
    return ConversationOut(
        id=row.id,
        project_id=row.project_id,
        author_id=row.author_id,
        title=row.title,
        persona_codes=list(row.persona_codes),
        shared=row.shared,
        created_at=row.created_at,
        updated_at=row.updated_at,
        messages=int(row.messages),
    )


def message_out(row: Any) -> MessageOut:
    return MessageOut(
        id=row.id,
        conversation_id=row.conversation_id,
        role=row.role,
        persona_code=row.persona_code,
        author_id=row.author_id,
        content=row.content,
        citations=list(row.citations),
        engine=row.engine,
        model=row.model,
        usage=dict(row.usage),
        latency_ms=row.latency_ms,
        created_at=row.created_at,
    )


async def get_conversation(
    session: AsyncSession, user: Authenticated, conversation_id: UUID
) -> Any:
    """The conversation if the caller may read it (row-level security hides the others)."""
    row = await repo.conversation(session, conversation_id)
    if row is None:
        raise NotFound("no such conversation", code="conversation_not_found")
    await require_access(session, user, row.project_id)
    return row


async def own(session: AsyncSession, user: Authenticated, conversation_id: UUID) -> Any:
    """The conversation, for a change only its author may make (others read a shared one)."""
    row = await get_conversation(session, user, conversation_id)
    if row.author_id != user.user_id:
        raise Forbidden(
            "only its author may change this conversation", code="conversation_read_only"
        )
    return row


async def start(
    session: AsyncSession,
    user: Authenticated,
    body: ChatIn,
    settings: Settings,
    engine: PersonaEngine,
) -> ChatRun:
    """Check the message, create the conversation when new, store the member's message, and
    prepare every responding persona's answer message."""
    message = clean_message(body.message)
    if body.conversation_id is not None:
        conversation = await own(session, user, body.conversation_id)
        project_id = conversation.project_id
    else:
        if body.project_id is None:
            raise InvalidInput(
                "give a conversation_id, or a project_id and a persona",
                code="conversation_or_project_required",
            )
        project_id = body.project_id
        await require_access(session, user, project_id)
        conversation = None
    personas = await repo.personas(session, user.company_id)
    if conversation is None:
        chosen_codes = list(
            dict.fromkeys(
                [*([body.persona_code] if body.persona_code else []), *body.persona_codes]
            )
        )
        chosen = _by_code(personas, [c.upper() for c in chosen_codes]) if chosen_codes else []
    else:
        chosen = _by_code(personas, list(conversation.persona_codes))
    mentioned = _by_code(personas, mentions(message, body.mentions))
    with_interviews = await repo.persona_interviews(session, project_id, [p.code for p in personas])
    if body.panel:
        answering = [p for p in personas if with_interviews.get(p.code)]
        if not answering:
            raise Conflict(
                "no persona of this project has analysed interviews yet",
                code="no_persona_with_interviews",
            )
    else:
        answering = mentioned or chosen
    if not answering:
        raise InvalidInput(
            "name the persona to talk with (persona_code, or @code in the message)",
            code="persona_required",
        )
    empty = [p.code for p in answering if not with_interviews.get(p.code)]
    if empty:
        raise Conflict(
            f"{', '.join(empty)} has no analysed interview in this project yet, so it has nothing"
            " to answer from",
            code="persona_without_interviews",
            details={"personas": empty},
        )
    check_rate(user, settings)
    await check_budget(session, user.company_id)

    if conversation is None:
        conversation_id = uuid7()
        codes = [p.code for p in (chosen or answering)]
        await repo.create_conversation(
            session,
            {
                "id": conversation_id,
                "company_id": user.company_id,
                "project_id": project_id,
                "author_id": user.user_id,
                "title": message[:80],
                "persona_codes": codes,
                "shared": body.shared,
            },
        )
        conversation = await repo.conversation(session, conversation_id)
        history: list[tuple[str, str]] = []
    else:
        history = _history(await repo.messages(session, conversation.id, HISTORY))
        added = [p.code for p in answering if p.code not in conversation.persona_codes]
        if added:
            await repo.update_conversation(
                session,
                conversation.id,
                {"persona_codes": [*conversation.persona_codes, *added]},
            )
    values = {
        "id": uuid7(),
        "conversation_id": conversation.id,
        "company_id": user.company_id,
        "project_id": project_id,
        "role": "user",
        "author_id": user.user_id,
        "content": message,
    }
    await repo.add_message(session, values)
    if conversation.shared:
        await events.append(
            session,
            project_id=project_id,
            company_id=user.company_id,
            type=events.CHAT_MESSAGE_ADDED,
            data=message_event(values),
            actor_id=user.user_id,
        )
    responders = [
        Responder(persona=p, message=stream.REGISTRY.open(uuid7(), user.user_id)) for p in answering
    ]
    return ChatRun(
        user=user,
        company_id=user.company_id,
        project_id=project_id,
        conversation_id=conversation.id,
        shared=conversation.shared,
        question=message,
        korean=is_korean(message),
        engine=engine,
        responders=responders,
        history=history,
        external_ids=dict(conversation.external_ids or {}),
    )


def _history(rows: list[Any]) -> list[tuple[str, str]]:
    return [("member" if r.role == "user" else str(r.persona_code), r.content) for r in rows]


async def list_conversations(
    session: AsyncSession, user: Authenticated, project_id: UUID
) -> list[ConversationOut]:
    await require_access(session, user, project_id)
    return [conversation_out(r) for r in await repo.conversations(session, project_id)]


async def detail(
    session: AsyncSession, user: Authenticated, conversation_id: UUID
) -> ConversationDetail:
    row = await get_conversation(session, user, conversation_id)
    seq = await events.last_seq(session, row.project_id)
    items = [message_out(m) for m in await repo.messages(session, conversation_id)]
    return ConversationDetail(**conversation_out(row).model_dump(), items=items, last_seq=seq)


async def update(
    session: AsyncSession, user: Authenticated, conversation_id: UUID, patch: ConversationPatch
) -> ConversationOut:
    row = await own(session, user, conversation_id)
    changes = patch.model_dump(exclude_none=True)
    if changes:
        await repo.update_conversation(session, conversation_id, dict(changes))
    fresh = await repo.conversation(session, conversation_id)
    out = conversation_out(fresh)
    if row.shared or out.shared:
        await events.append(
            session,
            project_id=row.project_id,
            company_id=user.company_id,
            type=events.CHAT_CONVERSATION_UPDATED,
            data={"conversation": out.model_dump(mode="json")},
            actor_id=user.user_id,
        )
    return out


async def delete(session: AsyncSession, user: Authenticated, conversation_id: UUID) -> None:
    row = await own(session, user, conversation_id)
    await repo.delete_conversation(session, conversation_id)
    if row.shared:
        await events.append(
            session,
            project_id=row.project_id,
            company_id=user.company_id,
            type=events.CHAT_CONVERSATION_DELETED,
            data={"conversation_id": str(conversation_id)},
            actor_id=user.user_id,
        )
    await audit.record(
        session,
        "chat_conversation_deleted",
        company_id=user.company_id,
        actor_id=user.user_id,
        target_type="conversation",
        target_id=conversation_id,
        title=row.title,
        project_id=str(row.project_id),
    )


async def stored_message(session: AsyncSession, user: Authenticated, message_id: UUID) -> Any:
    row = await repo.message(session, message_id)
    if row is None:
        raise NotFound("no such message", code="message_not_found")
    await get_conversation(session, user, row.conversation_id)
    return row


async def budget(session: AsyncSession, user: Authenticated) -> BudgetOut:
    monthly, used = await repo.budget(session, user.company_id, dt.datetime.now(dt.UTC))
    return BudgetOut(monthly_tokens=monthly, used_this_month=used)


async def set_budget(
    session: AsyncSession, user: Authenticated, monthly_tokens: int | None
) -> BudgetOut:
    if user.role not in ("company_admin", "super_admin"):
        raise Forbidden("only a company admin sets the chat budget", code="admin_only")
    await repo.set_budget(session, user.company_id, monthly_tokens)
    await audit.record(
        session,
        "chat_budget_set",
        company_id=user.company_id,
        actor_id=user.user_id,
        target_type="company",
        target_id=user.company_id,
        monthly_tokens=monthly_tokens,
    )
    return await budget(session, user)
