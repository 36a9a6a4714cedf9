""" "Which persona fits?" explained (issue 14: "offline by embeddings; with an LLM explained"): the
best-ranked personas' quotes go to the company's engine, each labelled with its persona, and the
answer streams like any ask — every citation checked, an invented one dropped. Offline, the
quotes are shown under each persona's name and nothing is written."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.analysis.fakes.openai_server import FakeOpenAI, Reply
from tests.analysis.fakes.server import serving
from tests.chat.world import build
from tests.search.sse import events
from tests.support import client
from tests.web.conftest import sign_in

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

QUESTION = "충전할 때 뭐가 불편하세요?"


@pytest.fixture
def model() -> Iterator[FakeOpenAI]:
    with serving(FakeOpenAI(lambda body: Reply(text="Fine."))) as fake:
        yield fake


def _said(got: list[tuple[int, str, dict[str, Any]]]) -> str:
    return "".join(d["text"] for _, t, d in got if t == "token")


async def test_offline_shows_each_personas_quotes_under_its_name(app: Any, worker: None) -> None:
    world = await build(app)
    async with client(app, world.member) as c:
        r = await c.post(
            f"/api/projects/{world.project}/personas/fit/explain", json={"question": QUESTION}
        )
        assert r.status_code == 200, r.text
    got = events(r.text)
    assert got[0][1] == "message:start"
    assert got[0][2]["engine"] == "offline"
    assert got[-1][1] == "message:end", got[-1]
    said = _said(got)
    assert "P1 “전기차 충전 고객”" in said
    async with await sign_in(app, world.member.email) as browser:
        page = await browser.get(f"/projects/{world.project}/personas", params={"q": QUESTION})
    assert page.status_code == 200
    assert 'id="fit-explain"' not in page.text
    citations = [d for _, t, d in got if t == "citation"]
    assert citations
    assert {c["interview_id"] for c in citations} <= {world.korean, world.english}
    for citation in citations:
        for line in citation["lines"]:
            assert line["text"] in world.transcripts[citation["interview_id"]]
            assert f"“{line['text']}”" in said  # quoted whole, never written


async def test_llm_explains_from_labelled_quotes_and_invents_nothing(
    app: Any, worker: None, model: FakeOpenAI
) -> None:
    world = await build(app)
    model.responder = lambda body: Reply(
        text="P1이 가장 잘 맞습니다 [1]. 이 고객은 화성에 삽니다 [9]."
    )
    async with client(app, world.admin) as c:
        r = await c.put(
            "/api/company/analysis",
            json={"engine": "llm", "llm_model": "fake-model", "llm_base_url": model.base_url},
        )
        assert r.status_code == 200, r.text
        r = await c.post(
            f"/api/projects/{world.project}/personas/fit/explain", json={"question": QUESTION}
        )
        assert r.status_code == 200, r.text
    got = events(r.text)
    assert got[0][2]["engine"] == "llm"
    assert got[-1][1] == "message:end", got[-1]
    assert _said(got).startswith("P1이 가장 잘 맞습니다.")
    citations = [d for _, t, d in got if t == "citation"]
    assert [c["sentence"] for c in citations] == [0]
    assert got[-1][2]["uncited_sentences"] == [1]
    body = model.requests[-1].body
    system = "\n".join(
        str(m["content"]) for m in body["messages"] if m["role"] in ("system", "developer")
    )
    assert "Say which persona fits the description best" in system
    user = "\n".join(str(m["content"]) for m in body["messages"] if m["role"] == "user")
    quotes = user.split("<research_quotes>")[1].split("</research_quotes>")[0]
    assert 'persona "P1 “전기차 충전 고객”' in quotes
    assert user.rstrip().endswith(f"Question: {QUESTION}")
    # The page offers the explanation with a generating engine (offline it only repeats the
    # quotes the page lists).
    async with await sign_in(app, world.member.email) as browser:
        page = await browser.get(f"/projects/{world.project}/personas", params={"q": QUESTION})
    assert 'id="fit-explain" data-question="충전할 때 뭐가 불편하세요?"' in page.text


async def test_bad_questions_are_refused_before_anything_runs(app: Any, worker: None) -> None:
    world = await build(app)
    async with client(app, world.member) as c:
        for body, code in (
            ({"question": ""}, "empty_question"),
            ({"question": "   "}, "empty_question"),
            ({"question": "a\x00b"}, "invalid_value"),
            ({"question": "x" * 1001}, "question_too_long"),
            ({"question": "x", "extra": 1}, "validation_error"),
        ):
            r = await c.post(f"/api/projects/{world.project}/personas/fit/explain", json=body)
            assert r.status_code == 422, r.text
            assert r.json()["error"]["code"] == code
        r = await c.post(
            "/api/projects/00000000-0000-7000-8000-000000000000/personas/fit/explain",
            json={"question": QUESTION},
        )
        assert r.status_code == 404
