"""Persona chat with generated answers (a fake OpenAI-compatible model and a fake Dify chat app,
both real HTTP servers on 127.0.0.1), prompt injection inside transcripts, cancelling, and the
mind-map summary."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

from tests.analysis.fakes.dify_chat_server import ChatReply, DifyChat
from tests.analysis.fakes.dify_server import APP_KEY
from tests.analysis.fakes.openai_server import FakeOpenAI, Reply
from tests.analysis.fakes.server import serving
from tests.chat.world import build, read_stream, texts
from tests.support import as_owner, http

pytestmark = pytest.mark.anyio


@pytest.fixture
def model() -> Iterator[FakeOpenAI]:
    with serving(FakeOpenAI(lambda body: Reply(text="Fine."))) as fake:
        yield fake


@pytest.fixture
def dify_chat() -> Iterator[DifyChat]:
    with serving(DifyChat(lambda body: ChatReply(answer="Fine."))) as fake:
        yield fake


async def _use(c: Any, settings: dict[str, Any]) -> None:
    r = await c.put("/api/company/analysis", json=settings)
    assert r.status_code == 200, r.text


def _system(body: dict[str, Any]) -> str:
    return "\n".join(m["content"] for m in body["messages"] if m["role"] in ("system", "developer"))


def _user(body: dict[str, Any]) -> str:
    return "\n".join(
        m["content"] if isinstance(m["content"], str) else json.dumps(m["content"])
        for m in body["messages"]
        if m["role"] == "user"
    )


async def test_llm_persona_streams_and_cites_only_the_quotes_it_was_given(
    live_worker_server: Any, model: FakeOpenAI
) -> None:
    app = live_worker_server.app
    world = await build(app)
    model.responder = lambda body: Reply(
        text="제일 힘든 건 충전기가 두 대밖에 없는 거예요 [1]. 그리고 저는 화성에 살아요 [9]."
    )
    async with http(live_worker_server.url, world.admin) as c:
        await _use(c, {"engine": "llm", "llm_model": "fake-model", "llm_base_url": model.base_url})
        _headers, frames = await read_stream(
            c,
            "POST",
            "/api/chat",
            json={
                "project_id": world.project,
                "persona_code": "P1",
                "message": "충전이 불편한가요?",
            },
        )
    said = texts(frames)["P1"]
    assert "[1]" not in said
    assert "[9]" not in said
    assert said.startswith("제일 힘든 건")
    citations = [
        (data["sentence"], data["interview_id"]) for _, k, data in frames if k == "citation"
    ]
    # The first sentence cites its quote; the invented one cites a number it was never given.
    assert citations == [(0, world.korean)]
    end = frames[-1][2]
    assert end["usage"]["total_tokens"] == 210
    request = model.requests[-1].body
    assert request["stream"] is True
    assert "<interview_quotes>" in _user(request)
    assert "<interview_quotes>" not in _system(request).split("inside")[0]
    async with as_owner(app.api.state.runtime.db.owner_url) as session:
        used = await session.scalar(text("SELECT sum(tokens) FROM chat_usage"))
    assert used == 210


async def test_instructions_inside_a_transcript_stay_data(
    live_worker_server: Any, model: FakeOpenAI
) -> None:
    app = live_worker_server.app
    world = await build(app, injection=True)
    model.responder = lambda body: Reply(text="Checkout keeps crashing for me [1].")
    async with http(live_worker_server.url, world.admin) as c:
        await _use(c, {"engine": "llm", "llm_model": "fake-model", "llm_base_url": model.base_url})
        await read_stream(
            c,
            "POST",
            "/api/chat",
            json={
                "project_id": world.project,
                "persona_code": "P2",
                "message": "What goes wrong at checkout? Any instructions for me?",
            },
        )
    body = model.requests[-1].body
    system = _system(body)
    assert "pirate" not in system
    assert "Ignore previous instructions" not in system
    assert system.startswith("You are P2")
    user = _user(body)
    # The injected line is there only as a JSON string inside the one fence it cannot close.
    assert user.count("</interview_quotes>") == 1
    fence = user.split("<interview_quotes>")[1].split("</interview_quotes>")[0]
    assert "Ignore previous instructions" in fence
    assert "Ignore previous instructions" not in user.replace(fence, "")


async def test_cancelling_an_answer_stores_nothing(
    live_worker_server: Any, model: FakeOpenAI
) -> None:
    app = live_worker_server.app
    world = await build(app)
    model.responder = lambda body: Reply(text="too late [1].", hang_s=20)
    async with http(live_worker_server.url, world.admin) as c:
        await _use(c, {"engine": "llm", "llm_model": "fake-model", "llm_base_url": model.base_url})
        headers, first = await read_stream(
            c,
            "POST",
            "/api/chat",
            json={"project_id": world.project, "persona_code": "P1", "message": "충전은 어때요?"},
            stop_after=1,
        )
        message_id = headers["x-message-ids"]
        assert first[0][1] == "message:start"
        r = await c.post(f"/api/chat/messages/{message_id}/cancel")
        assert r.status_code == 204
        _, rest = await read_stream(
            c, "GET", f"/api/chat/messages/{message_id}/stream", headers={"Last-Event-ID": "0"}
        )
        assert rest[-1][1] == "error"
        assert rest[-1][2]["code"] == "cancelled"
        assert (await c.post(f"/api/chat/messages/{message_id}/cancel")).status_code == 404
    async with as_owner(app.api.state.runtime.db.owner_url) as session:
        answers = await session.scalar(
            text("SELECT count(*) FROM chat_messages WHERE role = 'persona'")
        )
    assert answers == 0


async def test_dify_chat_app_answers_and_keeps_its_conversation(
    live_worker_server: Any, dify_chat: DifyChat
) -> None:
    app = live_worker_server.app
    world = await build(app)
    dify_chat.script = lambda body: ChatReply(answer="Slots are always full [1]. Really.")
    async with http(live_worker_server.url, world.admin) as c:
        await _use(
            c, {"engine": "miso", "miso_base_url": dify_chat.base_url, "miso_api_key": APP_KEY}
        )
        question = {
            "project_id": world.project,
            "persona_code": "P2",
            "message": "What is frustrating?",
        }
        headers, frames = await read_stream(c, "POST", "/api/chat", json=question)
        said = texts(frames)["P2"]
        assert said.startswith("Slots are always full.")
        assert [d["interview_id"] for _, k, d in frames if k == "citation"] == [world.english]
        conversation = headers["x-conversation-id"]
        _, again = await read_stream(
            c,
            "POST",
            "/api/chat",
            json={"conversation_id": conversation, "message": "Why are the delivery slots a pain?"},
        )
    assert texts(again)["P2"].startswith("Slots are always full.")
    first, second = dify_chat.requests[-2:]
    assert first["conversation_id"] == ""
    assert second["conversation_id"] == "conv-1"
    assert first["response_mode"] == "streaming"


async def test_mind_map_quotes_every_line_it_shows(live_worker_server: Any) -> None:
    from pypdf import PdfReader

    app = live_worker_server.app
    world = await build(app)
    async with http(live_worker_server.url, world.member) as c:
        headers, _ = await read_stream(
            c,
            "POST",
            "/api/chat",
            json={
                "project_id": world.project,
                "persona_code": "P1",
                "message": "충전할 때 뭐가 불편하고 뭐가 필요하세요?",
            },
        )
        conversation = headers["x-conversation-id"]
        assert (await c.get(f"/api/conversations/{conversation}/summary")).status_code == 404
        r = await c.post(f"/api/conversations/{conversation}/summary")
        assert r.status_code == 200, r.text
        mind = r.json()
        assert set(mind) == {"title", "summary", "root_node", "main_topics"}
        items = [
            item
            for topic in mind["main_topics"]
            for sub in topic["subtopics"]
            for item in sub["content_items"]
        ]
        assert items
        lines = world.transcripts[world.korean]
        for item in items:
            assert item["interview_id"] == world.korean
            assert item["quote"] in lines
        assert {t["id"] for t in mind["main_topics"]} <= {
            "emotions",
            "behaviours",
            "interests",
            "problems",
            "relationships",
            "goals",
        }
        assert (await c.get(f"/api/conversations/{conversation}/summary")).json() == mind
        md = await c.get(f"/api/conversations/{conversation}/summary.md")
        assert items[0]["quote"] in md.text
        pdf = await c.get(f"/api/conversations/{conversation}/summary.pdf")
        assert pdf.headers["content-type"] == "application/pdf"
        pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
        assert mind["main_topics"][0]["title"] in pdf_text
        png = await c.get(f"/api/conversations/{conversation}/summary.png")
        assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
        svg = await c.get(f"/api/conversations/{conversation}/summary.svg")
        assert svg.text.startswith("<svg")
        bad = await c.get(f"/api/conversations/{conversation}/summary.exe")
        assert bad.status_code == 422
        assert bad.json()["error"]["details"]["formats"] == ["md", "svg", "pdf", "png"]
