"""Ask your research: retrieval over the index, an engine's answer streamed as it is made, every
citation checked by the shared validator, and the finished answer stored once.

The producer is a task of its own (see answer_stream): it acts as the asking user (row-level
security applies to retrieval and to citation checks), emits `message:start`, the answer's
tokens with a `citation` after each sentence that cites, then `message:end`; the answer and its
events are committed in one transaction at the end. A failure emits `error` and stores nothing.
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.accounts.deps import actor_of
from persona_insight.accounts.repository import Authenticated
from persona_insight.citations import (
    Citation,
    CitationCheck,
    DocumentCitation,
    Statement,
    resolve,
    validate_statements,
)
from persona_insight.db import Database
from persona_insight.search import answer_stream as stream
from persona_insight.search import glossary, items, service
from persona_insight.search import passage as passages
from persona_insight.search import repository as repo
from persona_insight.search.answer_stream import Message
from persona_insight.search.passage import Passage
from persona_insight.search.repository import Filters

log = logging.getLogger(__name__)

MAX_QUESTION = 1000
QUOTES = 8
DOCUMENT_CHUNKS = 3
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_TOKENS = re.compile(r"\S+\s*|\s+")


@dataclass(slots=True)
class Evidence:
    """What retrieval found for a question: the best lines, in rank order."""

    keys: list[tuple[UUID, int]]
    check: CitationCheck
    interviews: int  # analysed, live interviews in scope (0: nothing to answer from)
    # For a question about a passage: how many of `keys` (the first) are its selected lines.
    passage: int = 0
    documents: list[tuple[DocumentCitation, str]] = field(default_factory=list)  # chunk, text
    # Cosine similarity of each key to the question, when retrieval ranked by meaning.
    similarity: dict[tuple[UUID, int], float] = field(default_factory=dict)
    # "Which persona fits?" explained: each line is a quote of a persona's interviews, and the
    # engine is asked which persona the question describes (`personas.fit.explain_evidence`).
    fit: bool = False
    labels: dict[tuple[UUID, int], str] = field(default_factory=dict)  # key → its persona


@dataclass(slots=True)
class Piece:
    """A piece of the answer as an engine produces it: text to stream, and the citations of the
    sentence it ends (empty while the sentence goes on)."""

    text: str
    citations: list[Citation | DocumentCitation] = field(default_factory=list)
    ends_sentence: bool = False


class AnswerEngine(Protocol):
    name: str
    usage: dict[str, Any]  # filled while answering: tokens spent, model, …

    def answer(self, question: str, evidence: Evidence, korean: bool) -> AsyncIterator[Piece]: ...


def is_korean(text: str) -> bool:
    return bool(_HANGUL.search(text))


def clean_question(question: str) -> str:
    from persona_insight.errors import InvalidInput, storable_text

    question = storable_text(question.strip(), "question")
    if not question:
        raise InvalidInput("the question is empty", code="empty_question")
    if len(question) > MAX_QUESTION:
        raise InvalidInput(
            f"a question has at most {MAX_QUESTION} characters",
            code="question_too_long",
            details={"max": MAX_QUESTION},
        )
    return question


async def retrieve(
    session: AsyncSession, question: str, filters: Filters, company_id: UUID | None = None
) -> Evidence:
    """The best lines for `question`; with `company_id`, its glossary expands the question."""
    also = await glossary.expand(session, company_id, question) if company_id else []
    _, ranked = await service.rank(session, question, filters, "hybrid", QUOTES, also)
    keys = [key for key, *_ in ranked]
    documents: list[DocumentCitation] = []
    if company_id is not None:
        # Knowledge documents only for ask itself (persona chat speaks from interviews alone).
        parsed = service.keyword_query(question, also)
        found = await items.rank_items(
            session, question, parsed, filters.project_ids, ["document"], DOCUMENT_CHUNKS
        )
        documents = [DocumentCitation(document_id=r.owner_id, chunk=int(r.ref)) for r, _ in found]
    cited: list[Citation | DocumentCitation] = [
        Citation(interview_id=i, line_ids=(line,)) for i, line in keys
    ]
    check = await resolve(session, [*cited, *documents])
    chunks = [(d, check.chunks[(d.document_id, d.chunk)]) for d in documents]
    evidence = Evidence(keys, check, await repo.indexed_count(session, filters.project_ids))
    evidence.documents = [(d, text) for d, text in chunks if text]
    return evidence


@dataclass(slots=True)
class Run:
    message: Message
    user: Authenticated
    project_id: UUID | None
    project_ids: list[UUID]
    question: str
    engine: AnswerEngine
    passage: Passage | None = None
    # Evidence gathered otherwise than by retrieval ("which persona fits?" explained).
    evidence_of: Callable[[AsyncSession, Run], Awaitable[Evidence]] | None = None
    text: list[str] = field(default_factory=list)
    citations: list[dict[str, Any]] = field(default_factory=list)
    usage: dict[str, Any] = field(default_factory=dict)


def citation_data(
    citation: Citation | DocumentCitation, check: CitationCheck, sentence: int
) -> dict[str, Any]:
    """The `citation` event's data: the citation and the lines it resolved to (persona chat
    emits the same), or the knowledge document chunk it names."""
    if isinstance(citation, DocumentCitation):
        key = (citation.document_id, citation.chunk)
        return {
            "sentence": sentence,
            "document_id": str(citation.document_id),
            "chunk": citation.chunk,
            "title": check.document_titles.get(citation.document_id, ""),
            "text": check.chunks.get(key, ""),
        }
    return {
        "sentence": sentence,
        "interview_id": str(citation.interview_id),
        "line_ids": list(citation.line_ids),
        "title": check.titles.get(citation.interview_id, ""),
        "lines": [
            {
                "id": line.id,
                "text": line.text,
                "speaker": line.speaker,
                "start_ms": line.start_ms,
            }
            for line in check.lines_of(citation)
        ],
    }


def _scope(passage: Passage | None) -> dict[str, Any]:
    if passage is None:
        return {}
    return {"interview_id": str(passage.interview_id), "line_ids": list(passage.line_ids)}


async def _evidence(session: AsyncSession, run: Run) -> Evidence:
    if run.evidence_of is not None:
        return await run.evidence_of(session, run)
    if run.passage is None:
        filters = Filters(project_ids=run.project_ids, speakers=["answer"])
        return await retrieve(session, run.question, filters, run.user.company_id)
    assert run.project_id is not None  # a passage is asked about in its project
    keys, check = await passages.context(session, run.question, run.project_id, run.passage)
    return Evidence(keys, check, 1, passage=len(run.passage.line_ids))


async def produce(db: Database, run: Run) -> None:
    """Run the engine and stream its answer into the message; store it when it ends well."""
    message = run.message
    korean = is_korean(run.question)
    message.emit(
        stream.MESSAGE_START,
        {
            "answer_id": str(message.id),
            "question": run.question,
            "engine": run.engine.name,
            "project_id": str(run.project_id) if run.project_id else None,
            **_scope(run.passage),
        },
    )
    actor = actor_of(run.user)
    try:
        async with db.unit_of_work(actor) as session:
            evidence = await _evidence(session, run)
        sentence: list[str] = []
        sentences = 0
        uncited: list[int] = []
        async for piece in run.engine.answer(run.question, evidence, korean):
            for token in _TOKENS.findall(piece.text):
                message.emit(stream.TOKEN, {"text": token})
                run.text.append(token)
                sentence.append(token)
            if not piece.ends_sentence:
                continue
            kept, _ = validate_statements(
                [Statement(text="".join(sentence).strip() or "-", citations=piece.citations)],
                evidence.check,
            )
            if not kept:
                uncited.append(sentences)
            for statement in kept:
                for citation in statement.citations:
                    data = citation_data(citation, evidence.check, sentences)
                    message.emit(stream.CITATION, data)
                    run.citations.append(data)
            sentences += 1
            sentence = []
        run.usage.update(run.engine.usage)
        end = {
            "answer_id": str(message.id),
            "text": "".join(run.text),
            "citations": len(run.citations),
            # Sentences whose citations all failed validation (or that cited nothing): the
            # reader marks them as unsupported.
            "uncited_sentences": uncited,
            "usage": run.usage,
        }
        events = [e.stored() for e in message.events] + [[stream.MESSAGE_END, end]]
        async with db.unit_of_work(actor) as session:
            await repo.save_answer(
                session,
                {
                    "id": message.id,
                    "company_id": run.user.company_id,
                    "project_id": run.project_id,
                    "user_id": run.user.user_id,
                    "question": run.question,
                    "answer": end["text"],
                    "tokens": events,
                    "citations": run.citations,
                    "engine": run.engine.name,
                    "usage": run.usage,
                    "interview_id": run.passage.interview_id if run.passage else None,
                    "line_ids": list(run.passage.line_ids) if run.passage else [],
                },
            )
        # Announced only once committed: a re-attach after this finds the row too.
        message.emit(stream.MESSAGE_END, end)
    except Exception as exc:
        log.exception("answer %s failed", message.id)
        message.emit(stream.ERROR, stream.error_data(exc))


_tasks: set[asyncio.Task[None]] = set()


def start(db: Database, run: Run) -> None:
    task = asyncio.create_task(produce(db, run))
    # Held until done: an unreferenced task may be collected mid-answer.
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


def new_message(user: Authenticated) -> Message:
    return stream.REGISTRY.open(uuid.uuid4(), user.user_id)
