"""`/api/interviews/{id}/notes` and `/api/notes/{id}`: shared notes on script lines."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from persona_insight.accounts.deps import CtxDep
from persona_insight.notes import service
from persona_insight.notes.schemas import NoteCreate, NoteList, NoteOut, NotePatch

router = APIRouter(tags=["notes"])


@router.get(
    "/api/interviews/{interview_id}/notes",
    response_model=NoteList,
    summary="Notes on an interview's script lines, oldest first",
)
async def list_notes(interview_id: UUID, ctx: CtxDep) -> NoteList:
    return await service.list_notes(ctx.session, ctx.user, interview_id)


@router.post(
    "/api/interviews/{interview_id}/notes",
    status_code=201,
    response_model=NoteOut,
    summary="Add a note on script lines, or a reply",
)
async def add_note(interview_id: UUID, body: NoteCreate, ctx: CtxDep) -> NoteOut:
    return await service.add(ctx.session, ctx.user, interview_id, body)


@router.patch("/api/notes/{note_id}", response_model=NoteOut, summary="Edit your note")
async def edit_note(note_id: UUID, body: NotePatch, ctx: CtxDep) -> NoteOut:
    return await service.edit(ctx.session, ctx.user, note_id, body.text)


@router.delete(
    "/api/notes/{note_id}", response_model=NoteOut, summary="Delete a note and its replies"
)
async def delete_note(note_id: UUID, ctx: CtxDep) -> NoteOut:
    return await service.remove(ctx.session, ctx.user, note_id)
