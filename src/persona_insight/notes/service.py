"""Note rules: who may read, add, edit and delete notes, and the event each change appends.

Access follows the interview: whoever may work in its project may read and add notes (everyone
else gets 404, as for the interview itself). Authors edit and delete their own notes; project
owners and admins may also delete anyone's. Nothing here commits: the request's unit of work does.
"""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.accounts.repository import Authenticated
from persona_insight.errors import Conflict, Forbidden, InvalidInput, NotFound
from persona_insight.interviews import service as interviews
from persona_insight.models import Interview, Note
from persona_insight.notes import repository as repo
from persona_insight.notes.schemas import MAX_TEXT, NoteAuthor, NoteCreate, NoteList, NoteOut
from persona_insight.projects.service import Access
from persona_insight.realtime import events, scrub
from persona_insight.texts import shows_nothing


def to_out(note: Note, author_name: str | None) -> NoteOut:
    author = None
    if note.author_id is not None:
        author = NoteAuthor(id=note.author_id, name=author_name or "")
    return NoteOut(
        id=note.id,
        interview_id=note.interview_id,
        parent_id=note.parent_id,
        line_ids=list(note.line_ids),
        text=note.text,
        author=author,
        created_at=note.created_at,
        updated_at=note.updated_at,
    )


def clean_text(value: str) -> str:
    value = value.strip()
    if shows_nothing(value) or len(value) > MAX_TEXT:
        raise InvalidInput(
            f"a note has 1 to {MAX_TEXT} characters", code="invalid_text", details={"max": MAX_TEXT}
        )
    return value


async def _emit(
    session: AsyncSession, interview: Interview, type: str, note: NoteOut, user: Authenticated
) -> None:
    # Last in every change: appending holds the project's event counter until commit.
    await events.append(
        session,
        project_id=interview.project_id,
        company_id=interview.company_id,
        type=type,
        data={
            "note_id": str(note.id),
            "interview_id": str(note.interview_id),
            "note": note.model_dump(mode="json"),
        },
        actor_id=user.user_id,
    )


async def _note_in_reach(
    session: AsyncSession, user: Authenticated, note_id: UUID
) -> tuple[Note, Interview, Access]:
    note = await repo.get(session, note_id, lock=True)
    if note is not None:
        try:
            interview, access = await interviews.get_accessible(session, user, note.interview_id)
        except NotFound:
            pass
        else:
            return note, interview, access
    raise NotFound("no such note", code="note_not_found")


async def list_notes(session: AsyncSession, user: Authenticated, interview_id: UUID) -> NoteList:
    interview, _ = await interviews.get_accessible(session, user, interview_id)
    last_seq = await events.last_seq(session, interview.project_id)
    rows = await repo.of_interview(session, interview.id)
    return NoteList(items=[to_out(n, name) for n, name in rows], last_seq=last_seq)


async def _thread_lines(
    session: AsyncSession, interview: Interview, body: NoteCreate
) -> tuple[UUID | None, list[int]]:
    """The parent (a thread's first note) and the lines a new note is on."""
    if body.parent_id is not None:
        parent = await repo.get(session, body.parent_id)
        if parent is not None and parent.parent_id is not None:
            # One level of threading: a reply to a reply joins the thread of the first note.
            parent = await repo.get(session, parent.parent_id)
        # Kept until this transaction ends: a thread deleted meanwhile made the reply's insert
        # fail on its foreign key (a 500); now the reply waits and finds it gone.
        root = await repo.get(session, parent.id, keep=True) if parent is not None else None
        if root is None or root.interview_id != interview.id:
            raise InvalidInput("the parent note is not on this interview", code="invalid_parent")
        return root.id, list(root.line_ids)
    known = await repo.script_line_ids(session, interview.id)
    assert known is not None  # checked by the caller
    wanted = sorted(set(body.line_ids or ()))
    unknown = [i for i in wanted if i not in known]
    if not wanted or unknown:
        raise InvalidInput(
            "a note needs at least one line of the interview's script",
            code="invalid_line_ids",
            details={"unknown": unknown},
        )
    return None, wanted


async def add(
    session: AsyncSession, user: Authenticated, interview_id: UUID, body: NoteCreate
) -> NoteOut:
    text = clean_text(body.text)
    interview, _ = await interviews.get_accessible(session, user, interview_id)
    if interview.deleted_at is not None:
        raise Conflict("restore the interview before adding notes", code="interview_deleted")
    if await repo.script_line_ids(session, interview.id) is None:
        raise Conflict(
            "notes go on the script lines of an analysed interview",
            code="interview_not_analysed",
        )
    parent_id, line_ids = await _thread_lines(session, interview, body)
    note = Note(
        company_id=interview.company_id,
        project_id=interview.project_id,
        interview_id=interview.id,
        parent_id=parent_id,
        author_id=user.user_id,
        line_ids=line_ids,
        text=text,
    )
    await repo.add(session, note)
    out = to_out(note, user.name)
    await _emit(session, interview, events.NOTE_ADDED, out, user)
    return out


async def edit(session: AsyncSession, user: Authenticated, note_id: UUID, text: str) -> NoteOut:
    cleaned = clean_text(text)
    note, interview, _ = await _note_in_reach(session, user, note_id)
    if note.author_id != user.user_id:
        raise Forbidden("only its author may edit a note", code="forbidden")
    if interview.deleted_at is not None:
        raise Conflict("restore the interview before editing notes", code="interview_deleted")
    if note.text != cleaned:
        note.text = cleaned
        await session.flush()
        out = to_out(note, user.name)
        await _emit(session, interview, events.NOTE_UPDATED, out, user)
        return out
    return to_out(note, user.name)


async def remove(session: AsyncSession, user: Authenticated, note_id: UUID) -> NoteOut:
    note, interview, access = await _note_in_reach(session, user, note_id)
    if note.author_id != user.user_id and not access.can_admin:
        raise Forbidden("only its author or a project admin may delete a note", code="forbidden")
    if interview.deleted_at is not None:
        # As for adding and editing: a trashed interview's notes come back with it, unchanged.
        raise Conflict("restore the interview before deleting notes", code="interview_deleted")
    out = to_out(note, await repo.author_name(session, note.author_id))
    await repo.remove(session, note.id)
    await _emit(session, interview, events.NOTE_DELETED, out, user)
    # After the append, so the `note:deleted` just written loses the text as well.
    await scrub.note_deleted(session, interview.project_id, note.id)
    return out
