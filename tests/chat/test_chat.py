"""Persona chat over a real server: streamed answers grounded in each persona's own interviews,
@mentions answered in turn, re-attaching after a drop, and the rules on bad input."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import text

from persona_insight.chat.engines import AFTER, INTRO, UNKNOWN
from tests.chat.world import World, build, read_stream, texts
from tests.support import as_owner, http

pytestmark = pytest.mark.anyio

TEMPLATES = [*INTRO.values(), *UNKNOWN.values()]


def _sentences_are_quotes_or_templates(said: str, world: World) -> None:
    """The offline engine's every sentence is a fixed template or a line of an interview."""
    lines = {line.strip() for lines in world.transcripts.values() for line in lines}
    rest = said.strip()
    for template in TEMPLATES:
        rest = rest.replace(template, "")
    after = [re.escape(t).replace(re.escape("{title}"), ".+?") for t in AFTER.values()]
    rest = re.sub("|".join(after), "", rest)
    for line in sorted(lines, key=len, reverse=True):
        rest = rest.replace(line, "")
    assert rest.strip() == "", f"text that is neither a quote nor a template: {rest!r}"


def _p1_then_p2_each_citing_its_own(frames: list[Any], world: World) -> dict[str, int]:
    """P1 answers, then P2, each citing only its own interview; the citations of each."""
    starts = [data for _, kind, data in frames if kind == "message:start"]
    assert [s["persona_code"] for s in starts] == ["P1", "P2"]
    code = ""
    cited = {"P1": 0, "P2": 0}
    for _, kind, data in frames:
        if kind == "message:start":
            code = data["persona_code"]
        if kind == "citation":
            own = world.korean if code == "P1" else world.english
            assert data["interview_id"] == own, f"{code} cited another persona's interview"
            cited[code] += 1
    return cited


async def test_offline_persona_answers_with_its_own_quotes(
    live_worker_server: Any,
) -> None:
    app = live_worker_server.app
    world = await build(app)
    async with http(live_worker_server.url, world.member) as c:
        headers, frames = await read_stream(
            c,
            "POST",
            "/api/chat",
            json={
                "project_id": world.project,
                "persona_code": "P1",
                "message": "충전할 때 뭐가 불편하세요?",
            },
        )
        kinds = [kind for _, kind, _ in frames]
        assert kinds[0] == "message:start", kinds
        assert kinds[-1] == "message:end", kinds
        assert [i for i, *_ in frames] == list(range(len(frames)))
        citations = [data for _, kind, data in frames if kind == "citation"]
        assert citations, "the answer cites the lines it quotes"
        assert {c["interview_id"] for c in citations} == {world.korean}
        said = texts(frames)["P1"]
        _sentences_are_quotes_or_templates(said, world)
        for citation in citations:
            assert all(line["text"] in said for line in citation["lines"])
        conversation = headers["x-conversation-id"]
        detail = (await c.get(f"/api/conversations/{conversation}")).json()
        assert [m["role"] for m in detail["items"]] == ["user", "persona"]
        stored = detail["items"][1]
        assert stored["content"] == said.strip()
        assert stored["citations"] == citations
        assert stored["engine"] == "offline"
        listing = (await c.get(f"/api/projects/{world.project}/conversations")).json()
        assert [item["id"] for item in listing["items"]] == [conversation]


async def test_two_mentioned_personas_answer_in_turn_each_from_its_own_interviews(
    live_worker_server: Any,
) -> None:
    app = live_worker_server.app
    world = await build(app)
    async with http(live_worker_server.url, world.member) as c:
        headers, frames = await read_stream(
            c,
            "POST",
            "/api/chat",
            json={
                "project_id": world.project,
                "persona_code": "P1",
                "message": "@P1 @P2 what is the most frustrating part? 제일 불편한 점은요?",
            },
        )
    assert len(headers["x-message-ids"].split(",")) == 2
    _p1_then_p2_each_citing_its_own(frames, world)
    said = texts(frames)
    assert said["P1"]
    assert said["P2"]
    # The second persona reacts to the first (a fixed template naming it).
    assert said["P2"].startswith(AFTER[True].format(title="전기차 충전 고객"))


async def test_panel_asks_every_persona_with_interviews(live_worker_server: Any) -> None:
    """Panel mode: every persona of the project that has analysed interviews answers the same
    question, in order, each from its own interviews; one without interviews (P3) is left out,
    not made to answer from nothing."""
    app = live_worker_server.app
    world = await build(app)
    async with http(live_worker_server.url, world.member) as c:
        headers, frames = await read_stream(
            c,
            "POST",
            "/api/chat",
            json={
                "project_id": world.project,
                "message": "What is the most frustrating part? 제일 불편한 점은요?",
                "panel": True,
            },
        )
        conversation = headers["x-conversation-id"]
        stored = (await c.get(f"/api/conversations/{conversation}")).json()
    cited = _p1_then_p2_each_citing_its_own(frames, world)
    assert cited["P1"] > 0
    assert cited["P2"] > 0
    answers = [m for m in stored["items"] if m["role"] == "persona"]
    assert [m["persona_code"] for m in answers] == ["P1", "P2"]
    for m in answers:
        _sentences_are_quotes_or_templates(m["content"], world)


async def _chat_events(app: Any, project_id: str) -> list[dict[str, Any]]:
    async with as_owner(app.api.state.runtime.db.owner_url) as session:
        rows = await session.execute(
            text(
                "SELECT payload FROM events WHERE project_id = :p"
                " AND type = 'chat:message_added' ORDER BY seq"
            ),
            {"p": project_id},
        )
        return [r.payload for r in rows]


async def test_only_shared_conversations_reach_the_project_stream(
    live_worker_server: Any,
) -> None:
    """A private conversation leaves no event on the project stream; a shared one adds one per
    stored message, and applying them gives the conversation as a fresh fetch shows it."""
    app = live_worker_server.app
    world = await build(app)
    async with http(live_worker_server.url, world.member) as c:
        private, _ = await read_stream(
            c,
            "POST",
            "/api/chat",
            json={"project_id": world.project, "persona_code": "P2", "message": "What is hard?"},
        )
        assert await _chat_events(app, world.project) == []
        shared, _ = await read_stream(
            c,
            "POST",
            "/api/chat",
            json={
                "project_id": world.project,
                "message": "@P1 @P2 what is the most frustrating part? 제일 불편한 점은요?",
                "shared": True,
            },
        )
        conversation = shared["x-conversation-id"]
        fresh = (await c.get(f"/api/conversations/{conversation}")).json()["items"]
    announced = await _chat_events(app, world.project)
    assert {e["conversation_id"] for e in announced} == {conversation}
    assert private["x-conversation-id"] != conversation
    keys = ("id", "role", "persona_code", "content", "citations")
    applied = [{k: e["message"][k] for k in keys} for e in announced]
    assert applied == [{k: m[k] for k in keys} for m in fresh]
    assert [m["role"] for m in fresh] == ["user", "persona", "persona"]


async def test_a_dropped_client_reattaches_and_gets_exactly_the_rest(
    live_worker_server: Any,
) -> None:
    app = live_worker_server.app
    world = await build(app)
    async with http(live_worker_server.url, world.member) as c:
        headers, first = await read_stream(
            c,
            "POST",
            "/api/chat",
            json={
                "project_id": world.project,
                "persona_code": "P2",
                "message": "What is annoying?",
            },
            stop_after=4,
        )
        message_id = headers["x-message-ids"]
        last = first[-1][0]
        _, rest = await read_stream(
            c,
            "GET",
            f"/api/chat/messages/{message_id}/stream",
            headers={"Last-Event-ID": str(last)},
        )
        assert [i for i, *_ in rest] == list(range(last + 1, last + 1 + len(rest)))
        assert rest[-1][1] == "message:end"
        whole = first + rest
        # The same events as the stored message replays from the database.
        async with as_owner(app.api.state.runtime.db.owner_url) as session:
            stored = await session.scalar(
                text("SELECT events FROM chat_messages WHERE id = :id"), {"id": message_id}
            )
        assert [[kind, data] for _, kind, data in whole] == stored
        # Re-attaching from the table (another process, or after the memory forgot it).
        from persona_insight.search.answer_stream import REGISTRY

        REGISTRY._messages.pop(__import__("uuid").UUID(message_id), None)
        _, again = await read_stream(
            c,
            "GET",
            f"/api/chat/messages/{message_id}/stream",
            headers={"Last-Event-ID": str(last)},
        )
        assert again == rest


async def test_bad_input_and_access(live_worker_server: Any) -> None:
    app = live_worker_server.app
    world = await build(app)
    from tests.support import make_user

    stranger = await make_user(app.api.state.runtime.db, email="x@other.test", company="Other")
    base = {"project_id": world.project, "persona_code": "P1"}
    async with http(live_worker_server.url, world.member) as c:

        async def post(body: dict[str, Any]) -> Any:
            return await c.post("/api/chat", json=body)

        r = await post({**base, "message": "   "})
        assert (r.status_code, r.json()["error"]["code"]) == (422, "empty_message")
        r = await post({**base, "message": "가" * 4001})
        assert (r.status_code, r.json()["error"]["code"]) == (422, "message_too_long")
        r = await post({**base, "message": "@P9 hello"})
        assert (r.status_code, r.json()["error"]["code"]) == (422, "unknown_persona")
        assert r.json()["error"]["details"]["personas"] == ["P9"]
        r = await post({**base, "persona_code": "P3", "message": "hello"})
        assert (r.status_code, r.json()["error"]["code"]) == (409, "persona_without_interviews")
        r = await post({"persona_code": "P1", "message": "hello"})
        assert r.status_code == 422
        # A private conversation: invisible to a colleague, who cannot write in it either.
        headers, _ = await read_stream(c, "POST", "/api/chat", json={**base, "message": "hi"})
        conversation = headers["x-conversation-id"]
        message_id = headers["x-message-ids"]
    async with http(live_worker_server.url, world.admin) as boss:
        assert (await boss.get(f"/api/conversations/{conversation}")).status_code == 404
        assert (await boss.get(f"/api/projects/{world.project}/conversations")).json()[
            "items"
        ] == []
        r = await boss.post("/api/chat", json={"conversation_id": conversation, "message": "hey"})
        assert r.status_code == 404
    async with http(live_worker_server.url, world.member) as c:
        r = await c.patch(f"/api/conversations/{conversation}", json={"shared": True})
        assert r.status_code == 200
        assert r.json()["shared"] is True
        # Renamed by its author; the project's list shows the new title.
        r = await c.patch(f"/api/conversations/{conversation}", json={"title": "충전 이야기"})
        assert (r.status_code, r.json()["title"]) == (200, "충전 이야기")
        r = await c.patch(f"/api/conversations/{conversation}", json={"title": ""})
        assert r.status_code == 422
        listed = (await c.get(f"/api/projects/{world.project}/conversations")).json()["items"]
        assert [(i["id"], i["title"]) for i in listed] == [(conversation, "충전 이야기")]
    async with http(live_worker_server.url, world.admin) as boss:
        assert (await boss.get(f"/api/conversations/{conversation}")).status_code == 200
        r = await boss.patch(f"/api/conversations/{conversation}", json={"title": "mine now"})
        assert r.status_code == 403
        r = await boss.post("/api/chat", json={"conversation_id": conversation, "message": "hey"})
        assert (r.status_code, r.json()["error"]["code"]) == (403, "conversation_read_only")
        assert (await boss.delete(f"/api/conversations/{conversation}")).status_code == 403
        # The mind map is stored with the conversation: a reader does not write it.
        r = await boss.post(f"/api/conversations/{conversation}/summary")
        assert (r.status_code, r.json()["error"]["code"]) == (403, "conversation_read_only")
    async with http(live_worker_server.url, stranger) as other:
        for method, url in (
            ("GET", f"/api/conversations/{conversation}"),
            ("GET", f"/api/chat/messages/{message_id}/stream"),
            ("POST", f"/api/conversations/{conversation}/summary"),
            ("GET", f"/api/projects/{world.project}/conversations"),
            ("DELETE", f"/api/conversations/{conversation}"),
        ):
            r = await other.request(method, url)
            assert r.status_code == 404, (method, url, r.status_code)
        r = await other.post("/api/chat", json={**base, "message": "hello"})
        assert r.status_code == 404
    async with http(live_worker_server.url, world.member) as c:
        assert (await c.delete(f"/api/conversations/{conversation}")).status_code == 204
        assert (await c.get(f"/api/conversations/{conversation}")).status_code == 404
        # Its answer is not replayed from the process's copy either (it was, for five minutes).
        r = await c.get(f"/api/chat/messages/{message_id}/stream")
        assert r.status_code == 404, r.text


async def test_rate_limit_and_monthly_budget(live_worker_server: Any) -> None:
    app = live_worker_server.app
    world = await build(app)
    settings = app.api.state.runtime.settings
    base = {"project_id": world.project, "persona_code": "P1", "message": "안녕하세요"}
    async with http(live_worker_server.url, world.admin) as boss:
        r = await boss.put("/api/company/chat-budget", json={"monthly_tokens": 0})
        assert r.status_code == 200
        assert r.json() == {"monthly_tokens": 0, "used_this_month": 0}
        r = await boss.post("/api/chat", json=base)
        assert (r.status_code, r.json()["error"]["code"]) == (429, "chat_budget_exhausted")
        assert int(r.headers["retry-after"]) > 0
        await boss.put("/api/company/chat-budget", json={"monthly_tokens": None})
    async with http(live_worker_server.url, world.member) as c:
        r = await c.put("/api/company/chat-budget", json={"monthly_tokens": 5})
        assert r.status_code == 403
        codes = []
        for _ in range(settings.chat_messages_per_minute + 1):
            r = await c.post("/api/chat", json=base)
            await r.aread()
            codes.append(r.status_code)
        assert codes[-1] == 429
        assert 200 in codes
        assert r.json()["error"]["code"] == "too_many_messages"
        assert "retry-after" in r.headers
