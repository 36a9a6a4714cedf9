"""On a phone (390×844) a toast never covers the status or Delete of the row one is working on
(issue 17: toasts in the corner sat on the list's status and Delete column)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import ANALYSIS_MS, PASSWORD, WAIT_MS, Team, live_on, open_page, settle
from tests.support import http

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

# A question with no answer fails at once, so the rows settle with Retry and Delete showing.
QUICK = "Q: {}번째 질문입니다. 오늘 어떤 점이 가장 불편하셨어요?"

OVERLAPS = """(rowId) => {
  const row = document.querySelector(`#interviews > li[data-id="${rowId}"]`);
  const controls = [
    row.querySelector('[data-slot="status"]'),
    row.querySelector('form[data-action="delete"] button'),
  ].map((n) => n.getBoundingClientRect());
  const toasts = [...document.querySelectorAll(".toast")].map((n) => n.getBoundingClientRect());
  const hit = (a, b) =>
    a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  return {
    toasts: toasts.length,
    overlaps: controls.flatMap((c, i) => toasts.filter((t) => hit(c, t)).map(() => i)),
    inView: controls.every((c) => c.top >= 0 && c.bottom <= window.innerHeight),
  };
}"""


async def test_toast_leaves_the_rows_controls_free(chromium: Any, team: Team) -> None:
    async with http(team.url, team.owner) as api:

        async def upload(n: int) -> str:
            r = await api.post(
                "/api/workflow/async",
                json={"project_id": team.project_id, "text": QUICK.format(n), "title": f"#{n}"},
            )
            assert r.status_code == 202, r.text
            return str(r.json()["interview_id"])

        ids = [await upload(n) for n in range(8)]
        page_context = await chromium.new_context(
            base_url=team.url, locale="ko-KR", viewport={"width": 390, "height": 844}
        )
        page_context.set_default_timeout(WAIT_MS)
        response = await page_context.request.post(
            "/api/auth/login", data={"email": team.member.email, "password": PASSWORD}
        )
        assert response.ok, await response.text()
        page = await open_page(page_context, f"/projects/{team.project_id}")
        await live_on(page)
        await page.wait_for_function(
            "() => document.querySelectorAll('#interviews > li[data-status=failed]').length === 8",
            timeout=ANALYSIS_MS,
        )
        # The failures' toasts are read and dismissed.
        await page.evaluate(
            "() => document.querySelectorAll('.toast-close').forEach((b) => b.click())"
        )
        await page.wait_for_function("() => !document.querySelector('.toast')")
        # The row being worked on sits at the bottom of the screen, its Delete focused.
        target = ids[3]
        await page.evaluate(
            """(id) => {
                const row = document.querySelector(`#interviews > li[data-id="${id}"]`);
                row.scrollIntoView({ block: "end" });
                const button = row.querySelector('form[data-action="delete"] button');
                button.focus({ preventScroll: true });
            }""",
            target,
        )
        before = await page.evaluate(OVERLAPS, target)
        assert before["inView"], before
        # Another member retries the oldest interview (the last row, so nothing moves): it fails
        # again, and its toast comes.
        r = await api.post(f"/api/interviews/{ids[0]}/retry")
        assert r.status_code == 202, r.text
        await page.wait_for_selector(".toast")
        await settle(0.4)  # the toast's entry animation
        after = await page.evaluate(OVERLAPS, target)
        assert after["toasts"] >= 1
        assert after["overlaps"] == [], after
        assert after["inView"], after
        # Nothing scrolls sideways because of the dock.
        assert await page.evaluate(
            "() => document.documentElement.scrollWidth <= window.innerWidth"
        )
    assert not page.errors, page.errors
    await page_context.close()
