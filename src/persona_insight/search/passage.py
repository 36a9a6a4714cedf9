"""Ask about this passage: the project's ask scoped to one interview and the lines a researcher
selected on its page (issue 15, item 6) — not a second endpoint, the same answer stream.

The scope is checked before anything streams: the interview must be one the caller may read in
the project asked (else 404, as for any interview out of reach), analysed and not in the trash
(409), and every line id one of its script's (422 naming the others). The answer rests on the
selected lines first and on the lines of the same interview nearest the question (its context);
every citation passes the shared validator like any answer's. A finished passage answer can be
kept as a note on the same lines, once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.accounts.repository import Authenticated
from persona_insight.citations import Citation, CitationCheck, resolve
from persona_insight.errors import Conflict, InvalidInput, NotFound
from persona_insight.interviews import service as interviews
from persona_insight.notes import service as notes
from persona_insight.notes.schemas import MAX_TEXT, NoteCreate, NoteOut
from persona_insight.search import repository as repo
from persona_insight.search import service
from persona_insight.search.repository import Filters

# Lines of the interview beyond the passage that retrieval may add as its context.
CONTEXT = 6


@dataclass(frozen=True, slots=True)
class Passage:
    interview_id: UUID
    line_ids: tuple[int, ...]  # each selected script line once (its first id), in script order


async def check(
    session: AsyncSession,
    user: Authenticated,
    project_id: UUID,
    interview_id: UUID,
    line_ids: list[int],
) -> Passage:
    interview, _ = await interviews.get_accessible(session, user, interview_id)
    if interview.project_id != project_id:
        raise NotFound("no such interview", code="interview_not_found")
    if interview.deleted_at is not None:
        raise Conflict("restore the interview before asking about it", code="interview_deleted")
    resolved = await resolve(session, [Citation(interview_id=interview_id, line_ids=(0,))])
    script = resolved.lines.get(interview_id)
    if not script:
        raise Conflict(
            "questions go to the script of an analysed interview", code="interview_not_analysed"
        )
    unknown = [i for i in dict.fromkeys(line_ids) if i not in script]
    if unknown:
        raise InvalidInput(
            "these lines are not in the interview's script",
            code="invalid_line_ids",
            details={"unknown": unknown},
        )
    firsts = sorted({script[i].id for i in line_ids})
    return Passage(interview_id, tuple(firsts))


async def context(
    session: AsyncSession, question: str, project_id: UUID, passage: Passage
) -> tuple[list[tuple[UUID, int]], CitationCheck]:
    """The passage's lines, then the interview's interviewee lines nearest the question outside
    it, and what they resolve to (the reader's row-level security applies)."""
    filters = Filters(
        project_ids=[project_id], interview_ids=[passage.interview_id], speakers=["answer"]
    )
    _, ranked = await service.rank(session, question, filters, "hybrid", CONTEXT + 8)
    keys = [(passage.interview_id, line) for line in passage.line_ids]
    wanted = [Citation(interview_id=i, line_ids=(n,)) for i, n in keys] + [
        Citation(interview_id=i, line_ids=(n,)) for (i, n), *_ in ranked
    ]
    check = await resolve(session, wanted)
    script = check.lines.get(passage.interview_id, {})
    inside = set(passage.line_ids)
    around: list[tuple[UUID, int]] = []
    for (interview_id, line_id), *_ in ranked:
        line = script.get(line_id)
        if line is None or line.id in inside or interview_id != passage.interview_id:
            continue
        inside.add(line.id)
        around.append((interview_id, line.id))
    return keys + around[:CONTEXT], check


def note_text(question: str, answer: str, korean: bool) -> str:
    head = f"{'질문' if korean else 'Question'}: {question}\n\n"
    text = head + answer.strip()
    if len(text) > MAX_TEXT:
        text = text[: MAX_TEXT - 1].rstrip() + "…"
    return text


async def save_as_note(
    session: AsyncSession, user: Authenticated, answer: dict[str, Any], korean: bool
) -> NoteOut:
    """Keep a passage answer as a note on its lines (the note's own rules apply: who may add one,
    an interview in the trash or no longer analysed)."""
    row = await repo.get_answer(session, answer["id"], lock=True)
    assert row is not None  # read by the caller in this transaction
    interview_id = row["interview_id"]
    if interview_id is None or not row["line_ids"]:
        raise Conflict("only an answer about a passage is kept as a note", code="not_a_passage")
    if row["note_id"] is not None:
        raise Conflict(
            "this answer is already a note",
            code="answer_already_saved",
            details={"note_id": str(row["note_id"])},
        )
    body = NoteCreate(
        text=note_text(row["question"], row["answer"], korean), line_ids=list(row["line_ids"])
    )
    note = await notes.add(session, user, interview_id, body)
    await repo.set_answer_note(session, row["id"], note.id)
    return note
