"""`/api/projects/{id}/ask`, `/api/ask`, `/api/answers/{id}` and its re-attachable stream."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header, Query
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import StreamingResponse

from persona_insight.accounts.deps import CtxDep
from persona_insight.errors import InvalidInput, NotFound, RateLimited
from persona_insight.notes.schemas import NoteOut
from persona_insight.projects import service as projects
from persona_insight.realtime.latency import ReportLimiter
from persona_insight.search import answer_stream as stream
from persona_insight.search import ask
from persona_insight.search import passage as passages
from persona_insight.search import repository as repo
from persona_insight.search.ask import Evidence, Run
from persona_insight.search.engines import engine_for_company
from persona_insight.search.passage import Passage
from persona_insight.search.schemas import AnswerOut, AskIn, CompanyAskIn

router = APIRouter(tags=["search"])
LIMITER = ReportLimiter()
STREAM: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/event-stream": {}}, "description": "Server-Sent Events"}
}


def limit_questions(ctx: CtxDep) -> None:
    per_minute = ctx.rt.settings.asks_per_minute
    now = time.monotonic()
    if not LIMITER.allow(ctx.user.user_id, per_minute, now):
        raise RateLimited(
            f"at most {per_minute} questions a minute",
            code="too_many_questions",
            headers={"Retry-After": str(LIMITER.retry_after(ctx.user.user_id, now))},
        )


async def start_answer(
    ctx: CtxDep,
    question: str,
    project_id: UUID | None,
    scope: list[UUID],
    passage: Passage | None = None,
    evidence_of: Callable[[AsyncSession, Run], Awaitable[Evidence]] | None = None,
) -> Run:
    """An answer streamed by the company's engine, produced by a task of its own (`ask`)."""
    engine = await engine_for_company(
        ctx.session, ctx.user.company_id, ctx.user.user_id, ctx.rt.settings
    )
    run = Run(
        message=ask.new_message(ctx.user),
        user=ctx.user,
        project_id=project_id,
        project_ids=scope,
        question=question,
        engine=engine,
        passage=passage,
        evidence_of=evidence_of,
    )
    ask.start(ctx.rt.db, run)
    return run


@router.post(
    "/api/projects/{project_id}/ask",
    response_class=StreamingResponse,
    responses=STREAM,
    summary="Ask the project's interviews a question; the answer streams with its citations",
)
async def ask_project(project_id: UUID, body: AskIn, ctx: CtxDep) -> StreamingResponse:
    await projects.require_access(ctx.session, ctx.user, project_id)
    question = ask.clean_question(body.question)
    passage = None
    if body.interview_id is not None:
        passage = await passages.check(
            ctx.session, ctx.user, project_id, body.interview_id, body.line_ids
        )
    elif body.line_ids:
        raise InvalidInput("lines are asked about in their interview", code="interview_required")
    limit_questions(ctx)
    run = await start_answer(ctx, question, project_id, [project_id], passage)
    return stream.response(run.message.follow(), answer_id=run.message.id)


@router.post(
    "/api/ask",
    response_class=StreamingResponse,
    responses=STREAM,
    summary="Ask every project the caller can read (or some of them)",
)
async def ask_company(body: CompanyAskIn, ctx: CtxDep) -> StreamingResponse:
    for project_id in body.project_ids:
        await projects.require_access(ctx.session, ctx.user, project_id)
    scope = list(dict.fromkeys(body.project_ids)) or await repo.readable_projects(
        ctx.session,
        company_id=ctx.user.company_id,
        user_id=ctx.user.user_id,
        all_of_company=ctx.user.role in ("company_admin", "super_admin"),
    )
    question = ask.clean_question(body.question)
    limit_questions(ctx)
    run = await start_answer(ctx, question, None, scope)
    return stream.response(run.message.follow(), answer_id=run.message.id)


async def _readable_answer(ctx: CtxDep, answer_id: UUID) -> dict[str, object]:
    row = await repo.get_answer(ctx.session, answer_id)
    if row is not None:
        project_id = row["project_id"]
        if project_id is None and row["user_id"] == ctx.user.user_id:
            return row
        if isinstance(project_id, UUID):
            try:
                await projects.require_access(ctx.session, ctx.user, project_id)
            except NotFound:
                pass
            else:
                return row
    raise NotFound("no such answer", code="answer_not_found")


@router.get(
    "/api/answers/{answer_id}/stream",
    response_class=StreamingResponse,
    responses=STREAM,
    summary="Re-attach to an answer's stream after `Last-Event-ID` (the last event index)",
)
async def answer_stream(
    answer_id: UUID,
    ctx: CtxDep,
    last_event_id: Annotated[str | None, Header()] = None,
    after: Annotated[int | None, Query(alias="last_event_id", ge=-1)] = None,
) -> StreamingResponse:
    since = stream.last_event_id(last_event_id) if after is None else after
    live = stream.REGISTRY.get(answer_id)
    if live is not None and live.owner_id == ctx.user.user_id and not live.stored:
        # Still in this process (an error is only here: a failed answer is not stored).
        return stream.response(live.follow(since))
    row = await _readable_answer(ctx, answer_id)
    events = row["tokens"]
    assert isinstance(events, list)
    return stream.replay_response(stream.from_stored(events), since)


@router.get("/api/answers/{answer_id}", response_model=AnswerOut, summary="A stored answer")
async def get_answer(answer_id: UUID, ctx: CtxDep) -> AnswerOut:
    return AnswerOut.model_validate(await _readable_answer(ctx, answer_id))


@router.post(
    "/api/answers/{answer_id}/note",
    status_code=201,
    response_model=NoteOut,
    summary="Keep an answer about a passage as a note on the passage's lines",
)
async def save_note(answer_id: UUID, ctx: CtxDep) -> NoteOut:
    row = await _readable_answer(ctx, answer_id)
    question = row["question"]
    assert isinstance(question, str)
    return await passages.save_as_note(ctx.session, ctx.user, row, ask.is_korean(question))


@router.get(
    "/api/projects/{project_id}/answers",
    response_model=list[AnswerOut],
    summary="The project's answers, newest first (shared within the project)",
)
async def list_answers(
    project_id: UUID, ctx: CtxDep, limit: Annotated[int, Query(ge=1, le=100)] = 20
) -> list[AnswerOut]:
    await projects.require_access(ctx.session, ctx.user, project_id)
    rows = await repo.list_answers(ctx.session, project_id, limit)
    return [AnswerOut.model_validate(r) for r in rows]
