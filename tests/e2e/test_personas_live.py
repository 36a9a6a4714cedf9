"""Two researchers on a persona: the second watches its page at 360 px while the first moves an
interview onto it. The interview appears on the second page at once (`interview:updated`), and
the profile the debounced re-synthesis writes appears after it (`persona:profile_updated`) —
without a reload. The project's personas view follows the same way."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from persona_insight.db import Database
from tests.e2e.conftest import (
    ANALYSIS_MS,
    ARTIFACTS,
    PASSWORD,
    Team,
    live_on,
    open_page,
    screenshot,
    signed_in,
    upload_sample,
)
from tests.e2e.test_phone import LAYOUT_PROBLEMS
from tests.support import Member, http, make_user

pytestmark = [pytest.mark.anyio, pytest.mark.e2e, pytest.mark.slow]

FRAMEWORK = {
    "axes": [
        {
            "name": "충전 습관",
            "types": [
                {"name": "집 충전", "description": "밤새 집이나 아파트에서 완속으로 충전한다."},
                {"name": "급속 충전", "description": "공공 급속 충전기에 의존한다."},
            ],
        }
    ]
}

PATCH = """async ([id, code]) => {
  const token = document.querySelector('meta[name="csrf-token"]').content;
  const r = await fetch(`/api/interviews/${id}/persona`, {
    method: "PATCH",
    headers: {"Content-Type": "application/json", "X-CSRF-Token": token},
    body: JSON.stringify({persona_code: code, reason: "e2e"}),
  });
  return r.status;
}"""


async def _completed(api: Any, interview_id: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + ANALYSIS_MS / 1000
    while True:
        status = (await api.get(f"/api/interviews/{interview_id}")).json()["status"]
        if status == "completed":
            return
        assert status != "failed"
        assert loop.time() < deadline, status
        await asyncio.sleep(0.5)


async def with_framework(team: Team, worker_settings: Any) -> tuple[Member, list[dict[str, Any]]]:
    """A company admin, who saved FRAMEWORK; and its personas."""
    db = Database(worker_settings.database_url, pool_size=2)
    try:
        admin = await make_user(db, email="sora@acme.test", role="company_admin", password=PASSWORD)
    finally:
        await db.dispose()
    async with http(team.url, admin) as api:
        r = await api.put("/api/personas/framework", json=FRAMEWORK)
        assert r.status_code == 200, r.text
        personas: list[dict[str, Any]] = r.json()["personas"]
    return admin, personas


async def test_reassignment_and_synthesis_reach_the_other_page_live(
    chromium: Any, team: Team, worker_settings: Any
) -> None:
    admin, personas = await with_framework(team, worker_settings)
    fast = next(p for p in personas if p["traits"] == ["급속 충전"])
    home = next(p for p in personas if p["traits"] == ["집 충전"])
    async with http(team.url, team.owner) as api:
        interview_id = await upload_sample(api, team.project_id)
        await _completed(api, interview_id)
        # Start from the other persona, so the watched one has nothing yet.
        r = await api.patch(
            f"/api/interviews/{interview_id}/persona", json={"persona_code": home["code"]}
        )
        assert r.status_code == 200, r.text
        title = (await api.get(f"/api/interviews/{interview_id}")).json()["title"]

    a_context = await signed_in(chromium, team.url, team.owner)
    b_context = await signed_in(chromium, team.url, team.member)
    a = await open_page(a_context, f"/projects/{team.project_id}/personas/{home['id']}")
    b = await open_page(b_context, f"/projects/{team.project_id}/personas/{fast['id']}")
    cards = await open_page(b_context, f"/projects/{team.project_id}/personas")
    await b.set_viewport_size({"width": 360, "height": 800})
    await live_on(b)
    await live_on(cards)
    assert await b.locator("#persona-interviews li").count() == 0
    assert await b.locator("#profile-empty").is_visible()
    # A marker a reload would lose.
    await b.evaluate("() => { window.stillHere = true; }")

    assert await a.evaluate(PATCH, [interview_id, fast["code"]]) == 200

    row = f'#persona-interviews li[data-interview="{interview_id}"]'
    await b.wait_for_selector(row, timeout=15_000)
    assert title in await b.locator(row).inner_text()
    assert "인터뷰 1개 · 100%" in await b.locator("#persona-share").inner_text()
    first = cards.locator(f'li.persona-card[data-persona="{fast["id"]}"]')
    await first.locator("text=인터뷰 1개 · 100%").wait_for(timeout=15_000)

    # The reassignment queued a re-synthesis (debounced by 10 s): its profile arrives by itself,
    # every statement linking to a line of the interview.
    # (Not "version 1": when the analysis placed the interview on this persona first, the
    # debounced job of that placement may already have written an empty version.)
    cited = f'#profile a[href^="/interviews/{interview_id}#line-"]'
    await b.wait_for_selector(cited, timeout=90_000)
    assert int(await b.locator("#profile").get_attribute("data-version")) >= 1
    assert await b.evaluate("() => window.stillHere === true")
    wide = await b.evaluate("() => document.documentElement.scrollWidth")
    assert wide <= 360
    await screenshot(b, "persona_live_360")

    # Moving it back empties the page again, live.
    assert await a.evaluate(PATCH, [interview_id, home["code"]]) == 200
    await b.wait_for_selector(row, state="detached", timeout=15_000)
    assert await b.evaluate("() => window.stillHere === true")
    for page in (a, b, cards):
        assert not page.errors, page.errors
    await a_context.close()
    await b_context.close()

    # Every persona page at 360 px, in Korean and English: nothing scrolls sideways, no word
    # breaks (the phone test's checks).
    pid = team.project_id
    paths = [
        "/personas",
        f"/projects/{pid}/personas?q=급속 충전기가 고장 나서 불편한 사람#fit",
        f"/projects/{pid}/personas/{fast['id']}",
        f"/projects/{pid}/personas/compare?a={fast['id']}&b={home['id']}",
        "/admin/personas",
    ]
    problems = {}
    for locale in ("ko-KR", "en-US"):
        context = await signed_in(chromium, team.url, admin, locale)
        try:
            for path in paths:
                page = await open_page(context, path)
                await page.set_viewport_size({"width": 360, "height": 800})
                await page.wait_for_load_state("networkidle")
                found = await page.evaluate(LAYOUT_PROBLEMS)
                if found:
                    problems[f"{path} ({locale[:2]})"] = found
                assert not page.errors, (path, page.errors)
                await page.close()
        finally:
            await context.close()
    (ARTIFACTS / "persona-phone-problems.json").write_text(
        json.dumps(problems, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    assert not problems, problems
