"""Ask with the offline engine: a streamed, extractive answer whose every quote is a cited line;
stored and re-openable; re-attaching after Last-Event-ID gives exactly the rest; bad input,
scope and the per-user rate limit."""

from __future__ import annotations

from typing import Any

import pytest

from tests.search.conftest import indexed_interview
from tests.search.sse import events
from tests.support import client, make_project, make_user

pytestmark = [pytest.mark.anyio, pytest.mark.slow]


async def test_offline_answer_streams_quotes_with_their_citations(app: Any) -> None:
    db = app.api.state.runtime.db
    owner = await make_user(db, email="owner@acme.test")
    outsider = await make_user(db, email="b@other.test", company="Other")
    project = await make_project(app, owner)
    interview_id = await indexed_interview(app, owner, project["id"], title="김 님 인터뷰")
    async with client(app, owner) as c:
        r = await c.post(
            f"/api/projects/{project['id']}/ask", json={"question": "충전할 때 뭐가 불편했나요?"}
        )
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("text/event-stream")
        got = events(r.text)
        assert [i for i, _, _ in got] == list(range(len(got)))
        assert got[0][1] == "message:start"
        assert got[-1][1] == "message:end"
        answer_id = got[0][2]["answer_id"]
        assert r.headers["x-answer-id"] == answer_id
        text = "".join(d["text"] for _, t, d in got if t == "token")
        assert text.startswith("질문과 가장 가까운 참여자 발언")
        assert "김 님 인터뷰" in text
        citations = [d for _, t, d in got if t == "citation"]
        assert citations, text
        # Every quote is a real interviewee line, quoted whole, and cited.
        for citation in citations:
            assert citation["interview_id"] == interview_id
            (line,) = citation["lines"]
            assert line["speaker"] == "answer"
            assert f"“{line['text']}”" in text
        assert citations[0]["line_ids"] == [2]  # 자리가 없어서 불편했어요
        assert got[-1][2]["text"] == text

        stored = await c.get(f"/api/answers/{answer_id}")
        assert stored.status_code == 200
        assert stored.json()["answer"] == text
        assert stored.json()["citations"] == citations
        listed = await c.get(f"/api/projects/{project['id']}/answers")
        assert [a["id"] for a in listed.json()] == [answer_id]

        # A dropped client re-attaches after the 3rd event and gets exactly the rest.
        again = await c.get(f"/api/answers/{answer_id}/stream", headers={"Last-Event-ID": "3"})
        assert events(again.text) == got[4:]
    async with client(app, outsider) as c:
        for path in (f"/api/answers/{answer_id}", f"/api/answers/{answer_id}/stream"):
            r = await c.get(path)
            assert r.status_code == 404
            assert r.json()["error"]["code"] == "answer_not_found"
        r = await c.post(f"/api/projects/{project['id']}/ask", json={"question": "불편"})
        assert r.status_code == 404
        # Company-wide ask over what B can read: nothing of A.
        r = await c.post("/api/ask", json={"question": "충전할 때 불편했던 점"})
        assert r.status_code == 200
        assert "자리" not in r.text
        assert [t for _, t, _ in events(r.text)] == ["message:start", "token"] + ["token"] * (
            len(events(r.text)) - 3
        ) + ["message:end"]


async def test_no_analysed_interview_gets_an_explained_empty_answer(app: Any) -> None:
    db = app.api.state.runtime.db
    owner = await make_user(db, email="owner@acme.test")
    project = await make_project(app, owner)
    async with client(app, owner) as c:
        r = await c.post(f"/api/projects/{project['id']}/ask", json={"question": "What hurts?"})
    got = events(r.text)
    text = "".join(d["text"] for _, t, d in got if t == "token")
    assert "no analysed interview" in text
    assert [t for _, t, _ in got if t == "citation"] == []
    assert got[-1][1] == "message:end"


async def test_bad_questions_and_the_rate_limit(app: Any, settings: Any) -> None:
    db = app.api.state.runtime.db
    owner = await make_user(db, email="owner@acme.test")
    project = await make_project(app, owner)
    url = f"/api/projects/{project['id']}/ask"
    async with client(app, owner) as c:
        for body, code in [
            ({"question": "  "}, "empty_question"),
            ({"question": "가" * 1001}, "question_too_long"),
            ({}, "validation_error"),
            ({"question": 5}, "validation_error"),
            # Refused before the answer starts (it used to stream, then fail to be stored).
            ({"question": "\u0000nul"}, "invalid_value"),
        ]:
            r = await c.post(url, json=body)
            assert r.status_code == 422, r.text
            assert r.json()["error"]["code"] == code
        r = await c.post(
            "/api/projects/00000000-0000-0000-0000-000000000000/ask", json={"question": "x"}
        )
        assert r.status_code == 404
        statuses = []
        for _ in range(settings.asks_per_minute + 1):
            statuses.append((await c.post(url, json={"question": "hello"})).status_code)
        assert statuses.count(200) <= settings.asks_per_minute
        last = await c.post(url, json={"question": "hello"})
        assert last.status_code == 429
        assert last.json()["error"]["code"] == "too_many_questions"
        assert 1 <= int(last.headers["retry-after"]) <= 60


async def test_a_failure_ends_the_answer_without_its_internals(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unexpected error (here the database refusing the answer) ends the stream with a code
    and a fixed message: the exception's text, which quotes SQL and its parameters, stays in
    the server's log."""
    from persona_insight.search import ask
    from persona_insight.search import repository as search_repo

    async def refused(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("[SQL: INSERT INTO answers (id, company_id) …] [parameters: …]")

    monkeypatch.setattr(search_repo, "save_answer", refused)
    assert ask.repo is search_repo
    db = app.api.state.runtime.db
    owner = await make_user(db, email="owner@acme.test")
    project = await make_project(app, owner)
    await indexed_interview(app, owner, project["id"])
    async with client(app, owner) as c:
        r = await c.post(f"/api/projects/{project['id']}/ask", json={"question": "충전은요?"})
    got = events(r.text)
    assert got[-1][1] == "error"
    assert got[-1][2] == {"code": "answer_failed", "message": "the answer could not be finished"}
    assert "INSERT" not in r.text
