"""When the analysis is unsure who interviews, the interview page says so; one click on a speaker
("this is the interviewer") stores the roles and the page follows the analysis run again."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.e2e.conftest import ANALYSIS_MS, Team, open_page, screenshot, signed_in
from tests.interviews.test_speaker_roles import AMBIGUOUS
from tests.support import http

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]


async def _completed(api: Any, interview_id: str) -> dict[str, Any]:
    deadline = asyncio.get_running_loop().time() + ANALYSIS_MS / 1000
    while asyncio.get_running_loop().time() < deadline:
        body: dict[str, Any] = (await api.get(f"/api/interviews/{interview_id}")).json()
        if body["status"] in ("completed", "failed"):
            assert body["status"] == "completed", body["error"]
            return body
        await asyncio.sleep(0.2)
    raise AssertionError("the analysis did not finish")


async def test_fixing_the_interviewer_reanalyses(chromium: Any, team: Team) -> None:
    async with http(team.url, team.owner) as api:
        r = await api.post(
            "/api/workflow/async",
            json={"project_id": team.project_id, "text": AMBIGUOUS, "title": "Night shift"},
        )
        assert r.status_code == 202, r.text
        interview_id = r.json()["interview_id"]
        detail = await _completed(api, interview_id)
    # Whom the evidence took for the interviewee: the researcher says it is the other way round.
    roles = detail["analysis"]["result"]["roles"]
    assert sorted(roles.values()) == ["answer", "question"]
    wrong = next(name for name, role in roles.items() if role == "answer")
    right = next(name for name in roles if name != wrong)

    context = await signed_in(chromium, team.url, team.owner, locale="en-US")
    page = await open_page(context, f"/interviews/{interview_id}")
    await page.locator("#roles-uncertain").wait_for()
    fixed = page.locator(f'.speaker-item[data-speaker="{wrong}"]')
    assert await fixed.get_attribute("data-role") == "answer"
    await screenshot(page, "speaker-roles-uncertain")

    await fixed.get_by_role("button", name="This is the interviewer").click()
    await page.locator(".notice, .toast", has_text="being analysed again").first.wait_for()
    show = page.get_by_role("button", name="Show the results")
    await show.wait_for(timeout=ANALYSIS_MS)
    await show.click()
    await page.locator("#roles-fixed").wait_for()
    assert await fixed.get_attribute("data-role") == "question"
    other = page.locator(f'.speaker-item[data-speaker="{right}"]')
    assert await other.get_attribute("data-role") == "answer"
    assert await page.locator("#roles-uncertain").count() == 0
    # The fixed speaker's lines are the interviewer's now.
    said = {"Dana": "I run the night shift", "Eli": "That sounds frustrating"}[wrong]
    line = page.locator("#script li.line", has_text=said)
    assert "speaker-question" in (await line.get_attribute("class") or "")

    await page.set_viewport_size({"width": 360, "height": 800})
    width = await page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360
    await screenshot(page, "speaker-roles-fixed-360")
    assert not page.errors, page.errors
    await context.close()
