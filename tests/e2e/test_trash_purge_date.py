"""In the browser: a trashed row says when it will be deleted for good — drawn by the server,
and for a row another member trashes while the page is open, filled in by the page (ko)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import Team, live_on, open_page, signed_in
from tests.support import http

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]


async def _paste(api: Any, project_id: str, text: str) -> str:
    r = await api.post("/api/workflow/async", json={"project_id": project_id, "text": text})
    assert r.status_code == 202, r.text
    return str(r.json()["interview_id"])


async def test_trash_rows_say_when_they_go(chromium: Any, team: Team) -> None:
    async with http(team.url, team.member) as api:
        before = await _paste(api, team.project_id, "Q: 어디서 충전하세요?\nA: 회사에서요.")
        later = await _paste(api, team.project_id, "Q: 불편한 점은?\nA: 대기 시간이요.")
        assert (await api.delete(f"/api/interviews/{before}")).status_code == 200
    context = await signed_in(chromium, team.url, team.owner)
    page = await open_page(context, f"/projects/{team.project_id}")
    await live_on(page)
    await page.click("#trash summary")
    drawn = page.locator(f'#trash-list > li[data-id="{before}"] [data-slot="purge"]')
    assert "영구 삭제" in (await drawn.inner_text())
    async with http(team.url, team.member) as api:
        assert (await api.delete(f"/api/interviews/{later}")).status_code == 200
    filled = page.locator(f'#trash-list > li[data-id="{later}"] [data-slot="purge"]')
    await filled.wait_for(state="visible")
    text = await filled.inner_text()
    assert "영구 삭제" in text
    # Both were trashed today with the same 30 days: the same date.
    assert text == await drawn.inner_text()
    assert not page.errors
