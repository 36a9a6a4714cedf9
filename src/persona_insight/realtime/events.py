"""Event types and the one function that appends an event to the outbox.

`append` must run inside the transaction that makes the change: it inserts the row, and when the
transaction commits a deferred trigger takes the next `seq` from the project's counter row
(locking it until the commit ends, so commit order equals seq order) and queues a NOTIFY that
PostgreSQL delivers with the commit (migration 0007).
Every type is documented in docs/events.md; a test fails when one is not.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final
from uuid import UUID

import orjson
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.realtime import metrics

CHANNEL: Final = "pi_events"
# Whose open streams must close, on every process (see `revoke_streams`): `<user>` (signed out,
# deactivated, token revoked: all their streams), `<user>:<project>` (removed from or left the
# project) or `*:<project>` (the project was deleted: everyone's).
REVOKED_CHANNEL: Final = "pi_revoked"

INTERVIEW_ADDED: Final = "interview:added"
INTERVIEW_STATUS_CHANGED: Final = "interview:status_changed"
INTERVIEW_COMPLETED: Final = "interview:completed"
INTERVIEW_FAILED: Final = "interview:failed"
INTERVIEW_DELETED: Final = "interview:deleted"
INTERVIEW_RESTORED: Final = "interview:restored"
INTERVIEW_UPDATED: Final = "interview:updated"
INTERVIEW_PURGED: Final = "interview:purged"
MEMBER_ADDED: Final = "member:added"
MEMBER_REMOVED: Final = "member:removed"
MEMBER_ROLE_CHANGED: Final = "member:role_changed"
PROJECT_UPDATED: Final = "project:updated"
PROJECT_DELETED: Final = "project:deleted"
NOTE_ADDED: Final = "note:added"
NOTE_UPDATED: Final = "note:updated"
NOTE_DELETED: Final = "note:deleted"
PERSONA_UPDATED: Final = "persona:updated"
PERSONA_REMATCH_PROGRESS: Final = "persona:rematch_progress"
PERSONA_PROFILE_UPDATED: Final = "persona:profile_updated"
INSIGHTS_UPDATED: Final = "insights:updated"
INSIGHTS_SUMMARY: Final = "insights:summary"
REPORT_PROGRESS: Final = "report:progress"
REPORT_READY: Final = "report:ready"
REPORT_FAILED: Final = "report:failed"
CHAT_MESSAGE_ADDED: Final = "chat:message_added"
CHAT_CONVERSATION_UPDATED: Final = "chat:conversation_updated"
CHAT_CONVERSATION_DELETED: Final = "chat:conversation_deleted"

# Types stored in the outbox. Stream-only messages (presence, sync:reset) are in STREAM_TYPES.
EVENT_TYPES: Final[frozenset[str]] = frozenset(
    {
        INTERVIEW_ADDED,
        INTERVIEW_STATUS_CHANGED,
        INTERVIEW_COMPLETED,
        INTERVIEW_FAILED,
        INTERVIEW_DELETED,
        INTERVIEW_RESTORED,
        INTERVIEW_UPDATED,
        INTERVIEW_PURGED,
        MEMBER_ADDED,
        MEMBER_REMOVED,
        MEMBER_ROLE_CHANGED,
        PROJECT_UPDATED,
        PROJECT_DELETED,
        NOTE_ADDED,
        NOTE_UPDATED,
        NOTE_DELETED,
        PERSONA_UPDATED,
        PERSONA_REMATCH_PROGRESS,
        PERSONA_PROFILE_UPDATED,
        INSIGHTS_UPDATED,
        INSIGHTS_SUMMARY,
        REPORT_PROGRESS,
        REPORT_READY,
        REPORT_FAILED,
        CHAT_MESSAGE_ADDED,
        CHAT_CONVERSATION_UPDATED,
        CHAT_CONVERSATION_DELETED,
    }
)
STREAM_TYPES: Final[frozenset[str]] = frozenset(
    {"presence:changed", "sync:reset", "interview:transcription_progress"}
)

# The insert, as a CTE `e`: `append` runs it alone; a caller that must write its own row in the
# same statement (interviews.repository.create) runs it with that row. The seq is provisional
# (negative, unique, seen by no one else) until the transaction commits: a deferred trigger then
# numbers the event from the project's counter and sends the NOTIFY (migration 0007), so the
# counter is locked only while the commit itself runs.
APPEND_CTES = """
    e AS (
        INSERT INTO events (project_id, seq, company_id, type, payload, actor_id)
        VALUES (:project, -nextval('event_provisional_seq'), :company, :type,
                CAST(:payload AS jsonb), :actor)
        RETURNING seq
    )
"""
_APPEND = text(f"WITH {APPEND_CTES} SELECT e.seq FROM e")  # noqa: S608


def _default(value: Any) -> Any:
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(f"cannot encode {type(value).__name__}")


def dumps(value: Any) -> bytes:
    return orjson.dumps(value, default=_default)


async def append(
    session: AsyncSession,
    *,
    project_id: UUID,
    company_id: UUID,
    type: str,
    data: dict[str, Any],
    actor_id: UUID | None,
) -> None:
    """Add an event to the change's transaction; it is numbered and announced when that commits."""
    params = append_params(
        project_id=project_id, company_id=company_id, type=type, data=data, actor_id=actor_id
    )
    await session.execute(_APPEND, params)
    appended()


def append_params(
    *, project_id: UUID, company_id: UUID, type: str, data: dict[str, Any], actor_id: UUID | None
) -> dict[str, Any]:
    """The bind parameters of APPEND_CTES."""
    if type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {type!r}")
    return {
        "project": project_id,
        "company": company_id,
        "type": type,
        "payload": dumps(data).decode(),
        "actor": actor_id,
    }


def appended() -> None:
    """Count an event written by a statement that ran APPEND_CTES."""
    metrics.EVENTS_APPENDED.inc()


def revoked_payload(user_id: UUID | None, project_id: UUID | None) -> str:
    if project_id is None:
        if user_id is None:
            raise ValueError("name a user, a project, or both")
        return str(user_id)
    return f"{user_id or '*'}:{project_id}"


def parse_revoked(payload: str) -> tuple[UUID | None, UUID | None] | None:
    """(user, project) of a REVOKED_CHANNEL payload, None on either side meaning all; None if
    the payload is not one."""
    user, _, project = payload.partition(":")
    if user == "*" and not project:
        return None  # "everyone everywhere" is never meant
    try:
        return (
            None if user == "*" else UUID(user),
            UUID(project) if project else None,
        )
    except ValueError:
        return None


async def revoke_streams(
    session: AsyncSession, *, user_id: UUID | None = None, project_id: UUID | None = None
) -> None:
    """Close the matching open streams on every server process when this transaction commits.

    A stream is authorised once, when it opens; every change that takes access away calls this
    in its own transaction, so the notification is sent if and only if the change commits, and
    before the change's own events (the NOTIFY is queued now, theirs at commit).
    """
    await session.execute(
        text("SELECT pg_notify(:c, :p)"),
        {"c": REVOKED_CHANNEL, "p": revoked_payload(user_id, project_id)},
    )


async def create_counter(session: AsyncSession, *, project_id: UUID, company_id: UUID) -> None:
    await session.execute(
        text(
            "INSERT INTO project_event_counters (project_id, company_id, last_seq)"
            " VALUES (:p, :c, 0) ON CONFLICT DO NOTHING"
        ),
        {"p": project_id, "c": company_id},
    )


async def last_seq(session: AsyncSession, project_id: UUID) -> int:
    value = (
        await session.execute(
            text("SELECT last_seq FROM project_event_counters WHERE project_id = :p"),
            {"p": project_id},
        )
    ).scalar_one_or_none()
    return int(value or 0)


async def prune(session: AsyncSession, *, older_than_days: int, batch: int = 10_000) -> int:
    """Delete events (of every project) older than the retention window, in batches."""
    total = 0
    while True:
        deleted = int(
            (
                await session.execute(
                    text("SELECT pi_prune_events(:days, :batch)"),
                    {"days": older_than_days, "batch": batch},
                )
            ).scalar_one()
        )
        total += deleted
        if deleted < batch:
            return total
