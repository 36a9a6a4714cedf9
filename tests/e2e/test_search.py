"""Search in a browser: a Korean transcript uploaded and analysed by the real worker becomes
searchable within 15 s of completing; a Korean search from the top bar finds it by an inflected
form, and clicking the result opens the interview at the highlighted line — at 360 px too."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from tests.e2e.conftest import ANALYSIS_MS, Team, open_page, sample, screenshot, signed_in
from tests.support import http

pytestmark = [pytest.mark.anyio, pytest.mark.e2e, pytest.mark.slow]

INDEXED_WITHIN_S = 15.0
# The first analysis of a server loads the models; on a shared machine that took over 120 s.
COMPLETED_WITHIN_S = 2 * ANALYSIS_MS / 1000


async def _completed(api: Any, interview_id: str) -> float:
    deadline = time.monotonic() + COMPLETED_WITHIN_S
    while time.monotonic() < deadline:
        body: dict[str, Any] = (await api.get(f"/api/interviews/{interview_id}")).json()
        if body["status"] in ("completed", "failed"):
            assert body["status"] == "completed", body["error"]
            return time.monotonic()
        await asyncio.sleep(0.2)
    raise AssertionError("the analysis did not finish")


async def _searchable(api: Any, q: str, since: float) -> dict[str, Any]:
    while time.monotonic() - since < INDEXED_WITHIN_S:
        body: dict[str, Any] = (await api.get("/api/search", params={"q": q})).json()
        if body["groups"]:
            return body
        await asyncio.sleep(0.2)
    raise AssertionError(f"not searchable {INDEXED_WITHIN_S} s after the analysis completed")


# The model-loading first analysis and two browser widths take minutes on a loaded machine.
@pytest.mark.timeout(900)
async def test_korean_search_opens_the_line(chromium: Any, team: Team) -> None:
    _, text = sample("ko_ev_charging.txt")
    async with http(team.url, team.owner) as api:
        r = await api.post(
            "/api/workflow/async",
            json={"project_id": team.project_id, "text": text, "title": "아이오닉 운전자"},
        )
        assert r.status_code == 202, r.text
        interview_id = r.json()["interview_id"]
        done = await _completed(api, interview_id)
        # "번거롭다" is not in the transcript as written ("번거로워요").
        found = await _searchable(api, "번거롭다", done)
    line = found["groups"][0]["hits"][0]["line_id"]
    assert found["groups"][0]["interview"]["id"] == interview_id

    for width in (1280, 360):
        context = await signed_in(chromium, team.url, team.member)
        await context.pages[0].close() if context.pages else None
        page = await open_page(context, f"/projects/{team.project_id}")
        await page.set_viewport_size({"width": width, "height": 800})
        box = page.locator("#topbar-q")
        await box.fill("번거롭다")
        await box.press("Enter")
        await page.wait_for_url("**/search?q=*")
        hit = page.locator(".search-line.is-hit").first
        await hit.wait_for()
        assert await hit.locator("mark").first.inner_text() == "번거로워"
        overflow = await page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the results page scrolls sideways at {width} px"
        await screenshot(page, f"search-ko-{width}")
        await hit.locator("a.search-open").click()
        await page.wait_for_url(f"**/interviews/{interview_id}#line-{line}")
        target = page.locator(f"#line-{line}")
        await target.wait_for()
        # Highlighted as the page draws a linked line: `.line:target` (or the module's class).
        lit = "el => el.matches(':target') || el.classList.contains('is-highlighted')"
        assert await target.evaluate(lit)
        background = await target.evaluate("el => getComputedStyle(el).backgroundColor")
        assert background not in ("rgba(0, 0, 0, 0)", "transparent"), background
        assert "번거로워요" in await target.inner_text()
        assert await target.is_visible()
        assert page.errors == []
        await context.close()
