"""SQL for notes."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import delete, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.models import Note, User


async def add(session: AsyncSession, note: Note) -> None:
    session.add(note)
    await session.flush()


async def get(
    session: AsyncSession, note_id: UUID, *, lock: bool = False, keep: bool = False
) -> Note | None:
    """`lock`: for an update; `keep`: only that it is not deleted before this transaction ends
    (a key-share lock, as the foreign key check of a reply to it takes)."""
    stmt = select(Note).where(Note.id == note_id)
    if lock:
        stmt = stmt.with_for_update()
    elif keep:
        stmt = stmt.with_for_update(key_share=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def author_name(session: AsyncSession, user_id: UUID | None) -> str | None:
    if user_id is None:
        return None
    name: str | None = await session.scalar(select(User.name).where(User.id == user_id))
    return name


async def of_interview(session: AsyncSession, interview_id: UUID) -> list[tuple[Note, str | None]]:
    stmt = (
        select(Note, User.name)
        .outerjoin(User, User.id == Note.author_id)
        .where(Note.interview_id == interview_id)
        .order_by(Note.created_at, Note.id)
    )
    return [(row[0], row[1]) for row in (await session.execute(stmt)).all()]


async def script_line_ids(session: AsyncSession, interview_id: UUID) -> set[int] | None:
    """The line ids of the interview's stored analysis; None when it has no analysis."""
    row = (
        await session.execute(
            text(
                """
                SELECT (
                    SELECT coalesce(jsonb_agg(i), '[]'::jsonb)
                    FROM jsonb_array_elements(a.result->'cleaned_script') line,
                         jsonb_array_elements(line->'id') i
                ) AS ids
                FROM interview_analyses a WHERE a.interview_id = :i
                """
            ),
            {"i": interview_id},
        )
    ).first()
    if row is None:
        return None
    return {int(i) for i in row.ids}


async def remove(session: AsyncSession, note_id: UUID) -> None:
    # Replies go with it (ON DELETE CASCADE on parent_id).
    await session.execute(delete(Note).where(Note.id == note_id))
