"""`/api/chat` (the seed's streaming chat), its re-attachable message streams, conversations, the
mind-map summary and the company's chat budget."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header, Query, Response
from starlette.responses import StreamingResponse

from persona_insight.accounts.deps import CtxDep
from persona_insight.chat import mindmap, produce, service
from persona_insight.chat.engines import engine_for_company
from persona_insight.chat.schemas import (
    BudgetIn,
    BudgetOut,
    ChatIn,
    ConversationDetail,
    ConversationList,
    ConversationOut,
    ConversationPatch,
    MindMap,
)
from persona_insight.errors import NotFound
from persona_insight.search import answer_stream as stream

router = APIRouter(tags=["chat"])
_STREAM: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/event-stream": {}}, "description": "Server-Sent Events"}
}


@router.post(
    "/api/chat",
    response_class=StreamingResponse,
    responses=_STREAM,
    summary="Send a message to a persona (or @mentioned personas); the answers stream",
)
async def chat(body: ChatIn, ctx: CtxDep) -> StreamingResponse:
    engine = await engine_for_company(ctx.session, ctx.user.company_id, ctx.rt.settings)
    run = await service.start(ctx.session, ctx.user, body, ctx.rt.settings, engine)
    # The member's message commits with this request (before the body streams); the producer
    # stores each answer in its own transaction as it ends.
    produce.start(ctx.rt.db, run)
    response = produce.response([r.message for r in run.responders])
    response.headers["X-Conversation-Id"] = str(run.conversation_id)
    return response


@router.get(
    "/api/chat/messages/{message_id}/stream",
    response_class=StreamingResponse,
    responses=_STREAM,
    summary="Re-attach to a persona's answer: the events after Last-Event-ID, then the rest live",
)
async def message_stream(
    message_id: UUID,
    ctx: CtxDep,
    last_event_id: Annotated[str | None, Header()] = None,
    after: Annotated[int | None, Query(ge=-1)] = None,
) -> StreamingResponse:
    position = after if after is not None else stream.last_event_id(last_event_id)
    live = stream.REGISTRY.get(message_id)
    if live is not None and live.owner_id == ctx.user.user_id and not live.stored:
        return produce.response([live], position)
    row = await service.stored_message(ctx.session, ctx.user, message_id)
    if row.role != "persona":
        raise NotFound("no such answer", code="message_not_found")
    return produce.replay(list(row.events), position)


@router.post(
    "/api/chat/messages/{message_id}/cancel",
    status_code=204,
    summary="Stop a persona's answer that is still streaming (its author only)",
)
async def cancel(message_id: UUID, ctx: CtxDep) -> Response:
    if not produce.cancel(message_id, ctx.user.user_id):
        raise NotFound("no answer of yours is streaming with this id", code="message_not_found")
    return Response(status_code=204)


@router.get(
    "/api/projects/{project_id}/conversations",
    response_model=ConversationList,
    summary="The caller's and the shared conversations of a project, newest first",
)
async def conversations(project_id: UUID, ctx: CtxDep) -> ConversationList:
    return ConversationList(
        items=await service.list_conversations(ctx.session, ctx.user, project_id)
    )


@router.get(
    "/api/conversations/{conversation_id}",
    response_model=ConversationDetail,
    summary="A conversation with its messages",
)
async def conversation(conversation_id: UUID, ctx: CtxDep) -> ConversationDetail:
    return await service.detail(ctx.session, ctx.user, conversation_id)


@router.patch(
    "/api/conversations/{conversation_id}",
    response_model=ConversationOut,
    summary="Rename a conversation or share it with the project (its author only)",
)
async def update_conversation(
    conversation_id: UUID, body: ConversationPatch, ctx: CtxDep
) -> ConversationOut:
    return await service.update(ctx.session, ctx.user, conversation_id, body)


@router.delete(
    "/api/conversations/{conversation_id}",
    status_code=204,
    summary="Delete a conversation (its author only)",
)
async def delete_conversation(conversation_id: UUID, ctx: CtxDep) -> Response:
    await service.delete(ctx.session, ctx.user, conversation_id)
    return Response(status_code=204)


@router.post(
    "/api/conversations/{conversation_id}/summary",
    response_model=MindMap,
    summary="Summarise a conversation as a mind map whose every quote cites its lines",
)
async def summarise(conversation_id: UUID, ctx: CtxDep) -> MindMap:
    return await mindmap.summarise(ctx.session, ctx.user, conversation_id)


@router.get(
    "/api/conversations/{conversation_id}/summary",
    response_model=MindMap,
    summary="The latest mind map of a conversation",
)
async def summary(conversation_id: UUID, ctx: CtxDep) -> MindMap:
    return await mindmap.latest(ctx.session, ctx.user, conversation_id)


@router.get(
    "/api/conversations/{conversation_id}/summary.{fmt}",
    summary="The latest mind map as Markdown (md) or SVG (svg)",
)
async def summary_file(conversation_id: UUID, fmt: str, ctx: CtxDep) -> Response:
    return await mindmap.download(ctx.session, ctx.user, conversation_id, fmt)


@router.get(
    "/api/company/chat-budget",
    response_model=BudgetOut,
    summary="The company's monthly chat token budget and what is used this month",
)
async def get_budget(ctx: CtxDep) -> BudgetOut:
    return await service.budget(ctx.session, ctx.user)


@router.put(
    "/api/company/chat-budget",
    response_model=BudgetOut,
    summary="Set the company's monthly chat token budget (company admins; null: no budget)",
)
async def put_budget(body: BudgetIn, ctx: CtxDep) -> BudgetOut:
    return await service.set_budget(ctx.session, ctx.user, body.monthly_tokens)
