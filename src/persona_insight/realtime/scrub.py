"""Scrubbing the stored payloads of events about content that no longer exists.

The outbox keeps every event for `event_retention_days`, and a reconnecting client replays them.
Once a note is deleted, an interview purged or a member removed, the earlier events about it must
not hand its text, title, file or e-mail to whoever replays them. They are rewritten in the
deleting transaction (so the deletion and the scrub commit together), keeping their ids and
shape so that a replaying client still applies them (migration 0008 has the SQL functions).
The hubs drop what they hold in memory of the project when they relay the deleting event.
"""

from __future__ import annotations

from typing import Final
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.realtime.events import INTERVIEW_PURGED, MEMBER_REMOVED, NOTE_DELETED

# Events whose transaction scrubbed earlier payloads of its project.
SCRUBBING_TYPES: Final = frozenset({NOTE_DELETED, INTERVIEW_PURGED, MEMBER_REMOVED})

_NOTE = text(
    "UPDATE events SET payload = pi_scrub_content(payload, now())"
    " WHERE project_id = :p AND NOT payload ? 'scrubbed'"
    " AND (payload->>'note_id' = :n OR payload->'note'->>'parent_id' = :n)"
)
_INTERVIEW = text(
    "UPDATE events SET payload = pi_scrub_content(payload, now())"
    " WHERE project_id = :p AND NOT payload ? 'scrubbed' AND payload->>'interview_id' = :i"
)
_EMAIL = text(
    "UPDATE events SET payload = pi_scrub_email(payload)"
    " WHERE project_id = :p AND payload->'member'->>'user_id' = :u"
    " AND payload->'member'->>'email' <> ''"
)


async def note_deleted(session: AsyncSession, project_id: UUID, note_id: UUID) -> None:
    """The note's events and its replies' lose their text (the `note:deleted` too, when it was
    appended before: a client removes the note by its id)."""
    await session.execute(_NOTE, {"p": project_id, "n": str(note_id)})


async def interview_purged(session: AsyncSession, project_id: UUID, interview_id: UUID) -> None:
    """The interview's events (and its notes') lose title, file, error and texts."""
    await session.execute(_INTERVIEW, {"p": project_id, "i": str(interview_id)})


async def member_removed(session: AsyncSession, project_id: UUID, user_id: UUID) -> None:
    """The member's e-mail leaves the project's events, as it leaves the members list."""
    await session.execute(_EMAIL, {"p": project_id, "u": str(user_id)})
