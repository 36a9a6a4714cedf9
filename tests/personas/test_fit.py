""" "Which persona fits?": personas ranked for a description of a customer; bad input 422;
another company's project 404."""

from __future__ import annotations

from typing import Any

import pytest

from tests.personas.test_matching_job import FRAMEWORK
from tests.support import client, make_project, make_user

pytestmark = pytest.mark.anyio


async def test_the_closest_persona_comes_first(app: Any) -> None:
    admin = await make_user(app.api.state.runtime.db, email="admin@acme.test", role="company_admin")
    rival = await make_user(app.api.state.runtime.db, email="x@rival.test", company="Rival")
    project = await make_project(app, admin, "Charging")
    url = f"/api/projects/{project['id']}/personas/fit"
    async with client(app, admin) as c:
        await c.put("/api/personas/framework", json=FRAMEWORK)
        r = await c.post(
            url, json={"question": "Someone without a garage who queues at highway fast chargers"}
        )
        assert r.status_code == 200, r.text
        items = r.json()["items"]
        assert len(items) == 4
        assert "Public fast" in items[0]["traits"]
        assert items[0]["score"] >= items[-1]["score"]
        assert (await c.post(url, json={"question": ""})).status_code == 422
        assert (await c.post(url, json={"question": "x" * 2001})).status_code == 422
    async with client(app, rival) as c:
        assert (await c.post(url, json={"question": "home"})).status_code == 404


async def test_quotes_are_the_interviewees_own_words(app: Any) -> None:
    """The quotes under each persona came from every line of its interviews, the interviewer's
    questions and greetings included; now they are the interviewees' lines, as persona chat
    draws on them."""
    from tests.search.conftest import CHARGING, indexed_interview

    admin = await make_user(app.api.state.runtime.db, email="admin@acme.test", role="company_admin")
    project = await make_project(app, admin, "Charging")
    interview_id = await indexed_interview(app, admin, project["id"])
    async with client(app, admin) as c:
        fw = (await c.put("/api/personas/framework", json=FRAMEWORK)).json()
        code = fw["personas"][1]["code"]
        r = await c.patch(f"/api/interviews/{interview_id}/persona", json={"persona_code": code})
        assert r.status_code == 200, r.text
        # Word for word the interviewer's first question.
        r = await c.post(
            f"/api/projects/{project['id']}/personas/fit",
            json={"question": "충전은 주로 어디서 하세요?"},
        )
    assert r.status_code == 200, r.text
    quotes = [q for item in r.json()["items"] for q in item["quotes"]]
    assert quotes, r.json()
    answers = {n for n, speaker, _ in CHARGING if speaker == "answer"}
    assert {q["line_id"] for q in quotes} <= answers
