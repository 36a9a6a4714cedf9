"""An interview's page leads to the one above and below it in the project's list, and always
shows a date: the interview's own, or else when it was uploaded (issue 17)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import client, make_project, make_user
from tests.web.conftest import sign_in

pytestmark = pytest.mark.anyio


async def test_previous_next_and_a_date(app: Any) -> None:
    owner = await make_user(app.api.state.runtime.db, email="mina@acme.test")
    project = await make_project(app, owner)
    ids = []
    async with client(app, owner) as c:
        for n in range(3):
            r = await c.post(
                "/api/workflow/async",
                json={"project_id": project["id"], "text": f"Q: {n}?\nA: 네", "title": f"T{n}"},
            )
            ids.append(r.json()["interview_id"])
    newest, middle, oldest = reversed(ids)  # the list is newest first
    async with await sign_in(app, "mina@acme.test", language="en") as browser:
        page = (await browser.get(f"/interviews/{middle}")).text
        assert f'rel="prev" href="/interviews/{newest}"' in page
        assert f'rel="next" href="/interviews/{oldest}"' in page
        first = (await browser.get(f"/interviews/{newest}")).text
        assert 'rel="prev"' not in first
        assert f'rel="next" href="/interviews/{middle}"' in first
        assert "No date" not in first
        assert 'id="interview-date">Uploaded ' in first


async def test_list_rows_have_a_date(app: Any) -> None:
    owner = await make_user(app.api.state.runtime.db, email="mina@acme.test")
    project = await make_project(app, owner)
    async with client(app, owner) as c:
        await c.post(
            "/api/workflow/async",
            json={"project_id": project["id"], "text": "Q: ?\nA: 네", "title": "Undated"},
        )
        await c.post(
            "/api/workflow/async",
            json={
                "project_id": project["id"],
                "text": "Q: ?\nA: 네",
                "title": "Dated",
                "interview_date": "2026-03-02",
            },
        )
    async with await sign_in(app, "mina@acme.test", language="en") as browser:
        page = (await browser.get(f"/projects/{project['id']}")).text
    assert '<span data-slot="date">Uploaded ' in page
    assert '<span data-slot="date">Mar 2, 2026</span>' in page
