"""The chat page of a project: its personas, the caller's and the shared conversations, one
conversation with its answers and their citations, and its mind map.

With JavaScript the answers stream in (static/js/chat.js talks to `/api/chat`); without it the
forms below post, wait for the answers and show the conversation.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response

from persona_insight.chat import mindmap, produce, service
from persona_insight.chat import repository as repo
from persona_insight.chat.engines import engine_for_company
from persona_insight.chat.schemas import ChatIn, ConversationPatch, MindMap
from persona_insight.errors import AppError, NotFound
from persona_insight.projects.service import require_access
from persona_insight.web.page import Page, PageDep, PageRoute, redirect

router = APIRouter(route_class=PageRoute, include_in_schema=False)


async def _personas(page: Any, project_id: UUID) -> list[dict[str, Any]]:
    user = page.signed_in
    personas = await repo.personas(page.session, user.company_id)
    counts = await repo.persona_interviews(page.session, project_id, [p.code for p in personas])
    return [
        {"id": p.id, "code": p.code, "title": p.title, "interviews": len(counts.get(p.code, []))}
        for p in personas
    ]


@router.get("/projects/{project_id}/chat")
async def chat_page(
    page: PageDep, project_id: UUID, c: UUID | None = None, error: str = ""
) -> Response:
    return await _render(page, project_id, c, error)


async def _render(
    page: Page,
    project_id: UUID,
    c: UUID | None,
    error: str,
    typed: ChatIn | None = None,
) -> Response:
    """The page; with `typed`, a refused message shown again as it was written (a redirect
    lost it, and with it the question the member had typed)."""
    user = page.signed_in
    access = await require_access(page.session, user, project_id)
    conversations = await service.list_conversations(page.session, user, project_id)
    current = None
    summary: MindMap | None = None
    if c is not None:
        current = await service.detail(page.session, user, c)
        if current.project_id != project_id:
            raise NotFound("no such conversation", code="conversation_not_found")
        row = await repo.summary(page.session, c)
        summary = MindMap.model_validate(row.result) if row is not None else None
    personas = await _personas(page, project_id)
    return page.render(
        "chat/chat.html",
        project=access.project,
        personas=personas,
        by_code={p["code"]: p for p in personas},
        personas_json={
            p["code"]: {"title": p["title"], "picture": f"/api/personas/{p['id']}/picture"}
            for p in personas
        },
        conversations=conversations,
        current=current,
        summary=summary,
        mindmap_svg=mindmap.svg(summary) if summary else "",
        error=page.reason(error) if error else "",
        error_code=error,
        typed=typed,
        status=422 if typed is not None else 200,
    )


@router.post("/projects/{project_id}/chat")
async def send(page: PageDep, project_id: UUID) -> Response:
    """A message without JavaScript: answered in full before the page comes back."""
    user = page.signed_in
    conversation = page.value("conversation_id")
    body = ChatIn(
        conversation_id=UUID(conversation) if conversation else None,
        project_id=None if conversation else project_id,
        persona_codes=page.values("persona_code"),
        message=page.raw("message")[:8000],
        panel=page.value("panel") == "on",
        shared=page.value("shared") == "on",
    )
    here = f"/projects/{project_id}/chat"
    try:
        engine = await engine_for_company(page.session, user.company_id, page.rt.settings)
        run = await service.start(page.session, user, body, page.rt.settings, engine)
    except AppError as exc:
        if exc.status == 404:
            raise
        await page.undo()
        return await _render(
            page, project_id, UUID(conversation) if conversation else None, exc.code, body
        )
    # The member's message is committed first: the answers are stored in their own
    # transactions, as over the API.
    await page.session.commit()
    await produce.produce(page.rt.db, run)
    return redirect(f"{here}?c={run.conversation_id}")


@router.post("/projects/{project_id}/chat/{conversation_id}/settings")
async def settings(page: PageDep, project_id: UUID, conversation_id: UUID) -> Response:
    user = page.signed_in
    title = page.value("title")
    patch = ConversationPatch(title=title or None, shared=page.value("shared") == "on")
    await service.update(page.session, user, conversation_id, patch)
    return redirect(f"/projects/{project_id}/chat?c={conversation_id}")


@router.post("/projects/{project_id}/chat/{conversation_id}/delete")
async def delete(page: PageDep, project_id: UUID, conversation_id: UUID) -> Response:
    await service.delete(page.session, page.signed_in, conversation_id)
    return redirect(f"/projects/{project_id}/chat")


@router.post("/projects/{project_id}/chat/{conversation_id}/summary")
async def summarise(page: PageDep, project_id: UUID, conversation_id: UUID) -> Response:
    await mindmap.summarise(page.session, page.signed_in, conversation_id)
    return redirect(f"/projects/{project_id}/chat?c={conversation_id}#mindmap")
