"""GET /api/search: Korean inflections, English stems, fusion, grouping, neighbours, highlights,
filters and the answers to bad input."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from tests.search.conftest import indexed_interview
from tests.support import client, make_project, make_user

pytestmark = pytest.mark.anyio


async def _setup(app: Any) -> tuple[Any, str, str]:
    db = app.api.state.runtime.db
    owner = await make_user(db, email="owner@acme.test")
    project = await make_project(app, owner)
    interview_id = await indexed_interview(app, owner, project["id"])
    return owner, project["id"], interview_id


def _hit_lines(body: dict[str, Any]) -> list[int]:
    return [hit["line_id"] for group in body["groups"] for hit in group["hits"]]


@pytest.mark.slow
async def test_inflected_korean_finds_the_line_and_marks_it(app: Any) -> None:
    owner, _, interview_id = await _setup(app)
    async with client(app, owner) as c:
        r = await c.get("/api/search", params={"q": "불편하다", "mode": "keyword"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert _hit_lines(body) == [2]
    group = body["groups"][0]
    assert group["interview"]["id"] == interview_id
    lines = group["hits"][0]["lines"]
    # The hit with one neighbour either side, in script order.
    assert [line["line_id"] for line in lines] == [1, 2, 3]
    hit = lines[1]
    assert hit["hit"] is True
    marked = [hit["text"][s:e] for s, e in hit["highlights"]]
    assert marked == ["불편했"]
    # Marked from what the index stored with the line, not by Kiwi at search time.
    async with await psycopg.AsyncConnection.connect(app.api.state.runtime.db.owner_url) as conn:
        cur = await conn.execute(
            "SELECT marks FROM search_lines WHERE interview_id = %s AND line_id = 2",
            (interview_id,),
        )
        (stored,) = await cur.fetchone() or (None,)
    assert stored is not None
    assert "불편하다" in stored


@pytest.mark.slow
async def test_english_stems_and_prefixes(app: Any) -> None:
    owner, _, _ = await _setup(app)
    async with client(app, owner) as c:
        crash = (await c.get("/api/search", params={"q": "crashing", "mode": "keyword"})).json()
        prefix = (await c.get("/api/search", params={"q": "충전*", "mode": "keyword"})).json()
        phrase = (await c.get("/api/search", params={"q": '"자리가 늘"', "mode": "keyword"})).json()
    assert _hit_lines(crash) == [6]
    assert sorted(_hit_lines(prefix)) == [4]
    assert _hit_lines(phrase) == [2]


@pytest.mark.slow
async def test_role_filter_defaults_to_the_interviewee(app: Any) -> None:
    owner, _, _ = await _setup(app)
    async with client(app, owner) as c:
        default = (await c.get("/api/search", params={"q": "어디서", "mode": "keyword"})).json()
        asked = (await c.get("/api/search", params={"q": "충전", "role": "interviewer"})).json()
    assert _hit_lines(default) == []
    assert 1 in _hit_lines(asked)
    assert all(
        line["speaker"] == "question"
        for g in asked["groups"]
        for h in g["hits"]
        for line in h["lines"]
        if line["hit"]
    )


@pytest.mark.slow
async def test_meaning_finds_a_paraphrase_sharing_no_word(app: Any) -> None:
    owner, _, _ = await _setup(app)
    async with client(app, owner) as c:
        words = await c.get("/api/search", params={"q": "주차 공간이 부족하다", "mode": "keyword"})
        r = await c.get("/api/search", params={"q": "주차 공간이 부족하다"})
    assert _hit_lines(words.json()) == []
    body = r.json()
    assert body["mode"] == "hybrid"
    assert _hit_lines(body)[0] == 2
    assert body["groups"][0]["hits"][0]["keyword_rank"] is None


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"q": "   "}, 422, "empty_query"),
        ({}, 422, "empty_query"),
        ({"q": "가" * 1001}, 422, "query_too_long"),
        (
            {"q": "x", "project_id": "00000000-0000-0000-0000-000000000000"},
            404,
            "project_not_found",
        ),
        ({"q": "x", "project_id": "not-a-uuid"}, 422, "validation_error"),
        (
            {"q": "x", "interview_id": "00000000-0000-0000-0000-000000000000"},
            404,
            "interview_not_found",
        ),
        ({"q": "x", "role": "everyone"}, 422, "validation_error"),
        ({"q": "x", "date_from": "2026-02-01", "date_to": "2026-01-01"}, 422, "invalid_date_range"),
    ],
)
async def test_bad_input(app: Any, params: dict[str, str], status: int, code: str) -> None:
    db = app.api.state.runtime.db
    owner = await make_user(db, email="owner@acme.test")
    async with client(app, owner) as c:
        r = await c.get("/api/search", params=params)
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code
