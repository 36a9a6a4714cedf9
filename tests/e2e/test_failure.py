"""A failed analysis shows why, in the reader's language, with a Retry button; retrying after the
cause is gone takes the interview to completed, live."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from tests.e2e.conftest import ANALYSIS_MS, Team, live_on, open_page, sample, screenshot, signed_in

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]


async def test_failed_analysis_can_be_retried(
    chromium: Any, team: Team, worker_settings: Any
) -> None:
    context = await signed_in(chromium, team.url, team.owner)
    page = await open_page(context, f"/projects/{team.project_id}")
    await live_on(page)

    # Pasted through the page: a question and no answer cannot be analysed.
    await page.click("#paste summary")
    await page.fill("#paste-title", "답변이 빠진 기록")
    await page.fill("#paste-text", "Q: 어떻게 생각하세요?")
    await page.click("#paste-form button[type=submit]")
    row = page.locator("#interviews > li[data-id]").first
    await page.wait_for_selector('#interviews > li[data-status="failed"]', timeout=ANALYSIS_MS)
    reason = await row.locator("[data-slot=error]").inner_text()
    assert reason == "분석할 답변이 없습니다. 질문과 답변이 모두 들어 있는지 확인해 주세요."
    failure = page.locator("#alerts .toast", has_text="인터뷰 분석에 실패했습니다")
    await failure.wait_for()
    assert reason in await failure.inner_text()
    await screenshot(page, "failure-ko")

    # Test setup, not a stub: the stored transcript becomes one that can be analysed.
    interview_id = await row.get_attribute("data-id")
    text = sample("ko_public_transport.srt")[1]
    from persona_insight import ingest

    transcript = ingest.extract("x.srt", text.encode(), max_bytes=10**7, max_chars=10**7).text
    with psycopg.connect(worker_settings.database_url) as conn:
        conn.execute("UPDATE interviews SET text = %s WHERE id = %s", (transcript, interview_id))

    await failure.get_by_role("button", name="다시 시도").click()
    await failure.wait_for(state="detached")
    await page.wait_for_selector(
        f'#interviews > li[data-id="{interview_id}"][data-status="analyzing"],'
        f' #interviews > li[data-id="{interview_id}"][data-status="completed"]'
    )
    await page.wait_for_selector(
        f'#interviews > li[data-id="{interview_id}"][data-status="completed"]', timeout=ANALYSIS_MS
    )
    assert await row.locator("[data-slot=error]").is_hidden()
    assert await row.locator("form[data-action=retry]").is_hidden()
    await page.locator("#toasts .toast", has_text="인터뷰 분석이 완료되었습니다").wait_for()
    assert not page.errors, page.errors
    await context.close()
