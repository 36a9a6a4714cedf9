"""Ask with generated answers: the `llm` engine against the fake OpenAI streaming server and the
`miso` engine against a fake Dify chat app (both real HTTP servers on 127.0.0.1). Every cited
sentence cites lines it was given; a made-up citation is dropped and its sentence marked;
a failing engine ends the stream with `error` and stores nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

from tests.analysis.fakes.dify_chat_server import ChatReply, DifyChat
from tests.analysis.fakes.dify_server import APP_KEY
from tests.analysis.fakes.openai_server import FakeOpenAI, Reply
from tests.analysis.fakes.server import serving
from tests.search.conftest import indexed_interview
from tests.search.sse import events
from tests.support import as_owner, client, make_project, make_user

pytestmark = [pytest.mark.anyio, pytest.mark.slow]


@pytest.fixture
def model() -> Iterator[FakeOpenAI]:
    with serving(FakeOpenAI(lambda body: Reply(text="Fine."))) as fake:
        yield fake


@pytest.fixture
def dify_chat() -> Iterator[DifyChat]:
    with serving(DifyChat(lambda body: ChatReply(answer="Fine."))) as fake:
        yield fake


async def _world(app: Any, settings: dict[str, Any]) -> tuple[Any, dict[str, Any], str]:
    db = app.api.state.runtime.db
    admin = await make_user(db, email="admin@acme.test", role="company_admin")
    project = await make_project(app, admin)
    interview_id = await indexed_interview(app, admin, project["id"], title="김 님 인터뷰")
    async with client(app, admin) as c:
        r = await c.put("/api/company/analysis", json=settings)
        assert r.status_code == 200, r.text
    return admin, project, interview_id


def _user_message(body: dict[str, Any]) -> str:
    return "\n".join(str(m["content"]) for m in body["messages"] if m["role"] == "user")


async def test_llm_answer_streams_and_keeps_only_valid_citations(
    app: Any, model: FakeOpenAI
) -> None:
    admin, project, interview_id = await _world(
        app, {"engine": "llm", "llm_model": "fake-model", "llm_base_url": model.base_url}
    )
    model.responder = lambda body: Reply(
        text="주차장 충전 자리가 늘 부족했어요 [1]. 그리고 충전 요금은 무료였어요 [9]."
    )
    async with client(app, admin) as c:
        r = await c.post(
            f"/api/projects/{project['id']}/ask", json={"question": "충전할 때 뭐가 불편했나요?"}
        )
        assert r.status_code == 200, r.text
    got = events(r.text)
    assert got[0][1] == "message:start"
    assert got[0][2]["engine"] == "llm"
    assert got[-1][1] == "message:end", got[-1]
    said = "".join(d["text"] for _, t, d in got if t == "token")
    assert "[1]" not in said
    assert "[9]" not in said
    assert said.startswith("주차장 충전 자리가 늘 부족했어요.")
    citations = [d for _, t, d in got if t == "citation"]
    # The first sentence cites a quote it was given; [9] names nothing and is dropped, and the
    # sentence is marked unsupported.
    assert [(c["sentence"], c["interview_id"]) for c in citations] == [(0, interview_id)]
    (line,) = citations[0]["lines"]
    assert line["speaker"] == "answer"
    end = got[-1][2]
    assert end["uncited_sentences"] == [1]
    assert end["usage"]["total_tokens"] == 210
    request = model.requests[-1].body
    assert request["stream"] is True
    quotes = _user_message(request).split("<research_quotes>")[1].split("</research_quotes>")[0]
    assert "[1]" in quotes
    assert "불편했어요" in quotes
    async with client(app, admin) as c:
        stored = (await c.get(f"/api/answers/{end['answer_id']}")).json()
    assert stored["engine"] == "llm"
    assert stored["citations"] == citations


async def test_llm_failure_is_an_error_event_and_nothing_is_stored(
    app: Any, model: FakeOpenAI
) -> None:
    admin, project, _ = await _world(
        app, {"engine": "llm", "llm_model": "fake-model", "llm_base_url": model.base_url}
    )
    model.responder = lambda body: Reply(
        status=400, error={"message": "bad request", "type": "invalid_request_error"}
    )
    async with client(app, admin) as c:
        r = await c.post(f"/api/projects/{project['id']}/ask", json={"question": "충전은요?"})
    got = events(r.text)
    assert got[-1][1] == "error"
    assert got[-1][2]["code"].startswith("engine_")
    async with as_owner(app.api.state.runtime.db.owner_url) as session:
        assert await session.scalar(text("SELECT count(*) FROM answers")) == 0


async def test_dify_chat_app_answers_with_citations(app: Any, dify_chat: DifyChat) -> None:
    admin, project, interview_id = await _world(
        app, {"engine": "miso", "miso_base_url": dify_chat.base_url, "miso_api_key": APP_KEY}
    )
    dify_chat.script = lambda body: ChatReply(
        answer="The app crashes at payment [2]. Waiting at public chargers takes long [1]."
    )
    async with client(app, admin) as c:
        r = await c.post(
            f"/api/projects/{project['id']}/ask",
            json={"question": "What goes wrong when paying for charging?"},
        )
    got = events(r.text)
    assert got[-1][1] == "message:end", got[-1]
    said = "".join(d["text"] for _, t, d in got if t == "token")
    assert said.startswith("The app crashes at payment.")
    citations = [d for _, t, d in got if t == "citation"]
    assert {c["interview_id"] for c in citations} == {interview_id}
    assert [c["sentence"] for c in citations] == [0, 1]
    body = dify_chat.requests[-1]
    assert body["response_mode"] == "streaming"
    assert body["query"] == "What goes wrong when paying for charging?"
    assert "<research_quotes>" in body["inputs"]["evidence"]
    assert got[-1][2]["usage"]["total_tokens"] == 150


async def test_dify_error_event_ends_the_stream_with_error(app: Any, dify_chat: DifyChat) -> None:
    admin, project, _ = await _world(
        app, {"engine": "miso", "miso_base_url": dify_chat.base_url, "miso_api_key": APP_KEY}
    )
    dify_chat.script = lambda body: ChatReply(answer="Half an ans", error="quota exceeded")
    async with client(app, admin) as c:
        r = await c.post(f"/api/projects/{project['id']}/ask", json={"question": "불편한 점은?"})
    got = events(r.text)
    assert got[-1][1] == "error"
    assert got[-1][2]["code"] == "engine_rejected"
    async with as_owner(app.api.state.runtime.db.owner_url) as session:
        assert await session.scalar(text("SELECT count(*) FROM answers")) == 0
