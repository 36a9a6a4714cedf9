"""Project cards say how much is in a project and how alive it is: interviews, members and the
last activity (issue 17), with the count's plural right in both languages."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support import add_member, client, make_project, make_user
from tests.web.conftest import sign_in

pytestmark = pytest.mark.anyio


async def test_cards_show_counts_and_last_activity(app: Any) -> None:
    db = app.api.state.runtime.db
    owner = await make_user(db, email="mina@acme.test")
    joon = await make_user(db, email="joon@acme.test")
    busy = await make_project(app, owner, name="Busy")
    quiet = await make_project(app, owner, name="Quiet")
    await add_member(db, busy["id"], joon)
    async with client(app, owner) as c:
        for n in range(2):
            r = await c.post(
                "/api/workflow/async", json={"project_id": busy["id"], "text": f"Q: {n}?\nA: 네"}
            )
            assert r.status_code == 202
        r = await c.post(
            "/api/workflow/async", json={"project_id": quiet["id"], "text": "Q: ?\nA: 네"}
        )
        assert r.status_code == 202
    async with await sign_in(app, "mina@acme.test", language="en") as browser:
        page = (await browser.get("/projects")).text
    cards = {
        name: card
        for card in page.split('<li class="project-card"')[1:]
        for name in re.findall(r'translate="no">(Busy|Quiet)</a>', card)
    }
    assert "<span>2 interviews</span>" in cards["Busy"]
    assert "<span>2 members</span>" in cards["Busy"]
    assert "<span>1 interview</span>" in cards["Quiet"]
    assert "<span>1 member</span>" in cards["Quiet"]
    assert "Last activity <time datetime=" in cards["Quiet"]
    async with await sign_in(app, "mina@acme.test") as browser:
        korean = (await browser.get("/projects")).text
    assert "인터뷰 2개" in korean
    assert "멤버 2명" in korean
