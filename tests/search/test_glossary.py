"""The company glossary expands queries: a term finds the lines that say only its synonym."""

from __future__ import annotations

from typing import Any

import pytest

from persona_insight.search.glossary import expansions, groups_of
from tests.search.conftest import indexed_interview
from tests.support import client, make_project, make_user


def test_synonym_groups_and_expansions() -> None:
    groups = groups_of(
        [
            ("전기차", "배터리로 가는 차.\n동의어: EV, 전기자동차"),
            ("OTT (스트리밍)", "Synonyms: streaming service"),
            ("NPS", "Net promoter score, no synonyms listed"),
        ]
    )
    assert groups == [["전기차", "EV", "전기자동차"], ["OTT", "스트리밍", "streaming service"]]
    assert expansions("전기차를 충전할 때", groups) == ["EV", "전기자동차"]
    assert expansions("ev charging", groups) == ["전기차", "전기자동차"]
    # A Latin synonym matches whole words only: "every" is not "EV".
    assert expansions("every day", groups) == []


@pytest.mark.anyio
@pytest.mark.slow
async def test_a_glossary_term_finds_its_synonyms(app: Any) -> None:
    db = app.api.state.runtime.db
    admin = await make_user(db, email="admin@acme.test", role="company_admin")
    other = await make_user(db, email="b@other.test", company="Other", role="company_admin")
    project = await make_project(app, admin)
    lines = [
        (1, "question", "무엇이 불편했나요?"),
        (2, "answer", "EV 충전소 찾기가 제일 어려웠어요."),
        (3, "answer", "주차는 괜찮았어요."),
    ]
    interview_id = await indexed_interview(app, admin, project["id"], lines)
    async with client(app, admin) as c:
        before = await c.get("/api/search", params={"q": "전기차", "mode": "keyword"})
        assert before.json()["groups"] == []
        r = await c.post(
            "/api/company/glossary", json={"term": "전기차", "definition": "동의어: EV"}
        )
        assert r.status_code == 201, r.text
        after = (await c.get("/api/search", params={"q": "전기차", "mode": "keyword"})).json()
    assert after["expanded"] == ["EV"]
    (group,) = after["groups"]
    assert group["interview"]["id"] == interview_id
    assert [h["line_id"] for h in group["hits"]] == [2]
    hit = next(line for line in group["hits"][0]["lines"] if line["hit"])
    assert hit["highlights"] == [[0, 2]]  # the synonym is what matched, and is marked
    # Another company's glossary does not expand this company's queries (nor the reverse).
    async with client(app, other) as c:
        r = await c.get("/api/search", params={"q": "전기차", "mode": "keyword"})
        assert r.json()["expanded"] == []
        assert r.json()["groups"] == []
