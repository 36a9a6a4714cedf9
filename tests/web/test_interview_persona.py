"""An interview's page says which persona the interview has now — the framework's, with where it
sits on each axis and the lines that show it, or a researcher's choice — and lets a researcher
change it. It used to show the persona the analysis matched when it ran, which a framework
edit or a researcher's choice had since replaced (browser QA pass: 12 demo interviews showed
codes the framework no longer had)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import text

from tests.support import as_owner, client, make_user
from tests.web.conftest import Browser, Setting

pytestmark = pytest.mark.anyio

FRAMEWORK = {
    "axes": [
        {
            "name": "충전 장소",
            "types": [
                {"name": "집", "description": "집에서 충전한다"},
                {"name": "공용", "description": "공용 충전소에서 충전한다"},
            ],
        }
    ]
}


def _persona_block(html: str) -> str:
    found = re.search(r'<div class="interview-persona" id="persona">(.*?)</details>', html, re.S)
    assert found, "no persona block on the page"
    return found.group(1)


async def test_the_page_shows_the_persona_now_and_a_researcher_changes_it(
    app: Any, setting: Setting, owner_browser: Browser
) -> None:
    async with as_owner(app.api.state.runtime.db.owner_url) as s:
        # What the analysis matched when it ran, stale since.
        await s.execute(
            text(
                "UPDATE interview_analyses SET result = jsonb_set(result, '{persona_match}',"
                ' \'{"code": "OLD-MATCH", "explanation": "", "confidence": 0.9}\')'
                " WHERE interview_id = :i"
            ),
            {"i": setting.interview_id},
        )
        await s.commit()
    admin = await make_user(app.api.state.runtime.db, email="admin@acme.test", role="company_admin")
    async with client(app, admin) as c:
        r = await c.put("/api/personas/framework", json=FRAMEWORK)
        assert r.status_code == 200, r.text
        public = next(p for p in r.json()["personas"] if p["traits"] == ["공용"])

    page = await owner_browser.get(f"/interviews/{setting.interview_id}")
    assert page.status_code == 200
    block = _persona_block(page.text)
    assert "OLD-MATCH" not in page.text
    assert "충전 장소" in block  # the axis, with its type or 불분명 (unclear)
    now = page.text.split('class="persona-now"')[1].split("</p>")[0]
    assert "불분명" in now  # not placed on the axis yet: unclear, not "no persona fits"
    assert f'value="{public["code"]}"' in block

    r = await owner_browser.post(
        f"/interviews/{setting.interview_id}/persona",
        {"persona_code": public["code"], "reason": "공용 충전소만 쓴다고 함"},
    )
    assert r.status_code == 303
    assert "notice=persona_set" in r.headers["location"]
    page = await owner_browser.get(f"/interviews/{setting.interview_id}")
    block = _persona_block(page.text)
    assert f'<code class="persona-code" translate="no">{public["code"]}</code>' in block
    assert "연구자가 지정" in block
    assert "공용 충전소만 쓴다고 함" in block
    async with client(app, setting.owner) as c:
        placed = (await c.get(f"/api/interviews/{setting.interview_id}/placements")).json()
        assert placed["persona_code"] == public["code"]
        assert placed["manual_persona"] is True

    r = await owner_browser.post(
        f"/interviews/{setting.interview_id}/persona", {"persona_code": ""}
    )
    assert r.status_code == 303
    page = await owner_browser.get(f"/interviews/{setting.interview_id}")
    assert "맞는 페르소나 없음" in page.text.split('class="persona-now"')[1].split("</p>")[0]

    r = await owner_browser.post(
        f"/interviews/{setting.interview_id}/persona", {"persona_code": "NOPE"}
    )
    assert r.status_code == 303
    assert "problem=unknown_persona" in r.headers["location"]

    # A NUL in the reason: the form's answer, not the API's JSON (API QA pass).
    r = await owner_browser.post(
        f"/interviews/{setting.interview_id}/persona",
        {"persona_code": public["code"], "reason": "a\x00b"},
    )
    assert r.status_code == 303
    assert "problem=invalid_value" in r.headers["location"]
