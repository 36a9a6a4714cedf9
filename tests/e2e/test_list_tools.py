"""The workspace's list can be searched by title, filtered and sorted (issue 17), and stays so
while live events change it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import Team, live_on, open_page, signed_in
from tests.support import http

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

# A question with no answer fails at once (empty_transcript), so statuses settle fast.
QUICK = "Q: {}번째 질문입니다. 오늘 어떤 점이 가장 불편하셨어요?"
SHOWN = """() => [...document.querySelectorAll('#interviews > li[data-id]')]
    .filter((row) => !row.hidden).map((row) => row.querySelector('.row-title').textContent)"""


async def test_search_filter_and_sort(chromium: Any, team: Team) -> None:
    async with http(team.url, team.owner) as api:

        async def upload(title: str) -> None:
            r = await api.post(
                "/api/workflow/async",
                json={"project_id": team.project_id, "text": QUICK.format(title), "title": title},
            )
            assert r.status_code == 202, r.text

        for title in ("충전 대기 인터뷰", "Banking app", "Charging at night"):
            await upload(title)
        context = await signed_in(chromium, team.url, team.member, locale="en-US")
        page = await open_page(context, f"/projects/{team.project_id}")
        await live_on(page)
        await page.wait_for_function(
            "() => document.querySelectorAll('#interviews > li[data-status=failed]').length === 3"
        )
        newest_first = ["Charging at night", "Banking app", "충전 대기 인터뷰"]
        assert await page.evaluate(SHOWN) == newest_first

        await page.fill("#list-q", "charg")
        assert await page.evaluate(SHOWN) == ["Charging at night"]
        assert await page.inner_text("#list-filtered") == "Showing 1 of 3"
        # A live arrival that does not match stays hidden; one that matches shows.
        await upload("Groceries")
        await upload("Charging cards")
        await page.wait_for_function(
            "() => document.querySelectorAll('#interviews > li[data-id]').length === 5"
        )
        assert await page.evaluate(SHOWN) == ["Charging cards", "Charging at night"]

        await page.fill("#list-q", "")
        await page.select_option("#list-sort", "title")
        shown = await page.evaluate(SHOWN)
        assert shown[:2] == ["Banking app", "Charging at night"], shown
        await page.select_option("#list-sort", "oldest")
        assert (await page.evaluate(SHOWN))[0] == "충전 대기 인터뷰"

        await page.wait_for_function(
            "() => document.querySelectorAll('#interviews > li[data-status=failed]').length === 5"
        )
        await page.select_option("#list-status", "completed")
        assert await page.evaluate(SHOWN) == []
        assert await page.inner_text("#list-filtered") == "Showing 0 of 5"
        await page.select_option("#list-status", "failed")
        assert len(await page.evaluate(SHOWN)) == 5
    assert not page.errors, page.errors
    await context.close()


async def test_date_range_filter_stays_right_with_live_events(chromium: Any, team: Team) -> None:
    async with http(team.url, team.owner) as api:

        async def upload(title: str, day: str) -> str:
            r = await api.post(
                "/api/workflow/async",
                json={
                    "project_id": team.project_id,
                    "text": QUICK.format(title),
                    "title": title,
                    "interview_date": day,
                },
            )
            assert r.status_code == 202, r.text
            return str(r.json()["interview_id"])

        await upload("January", "2025-01-15")
        february = await upload("February", "2025-02-15")
        await upload("March", "2025-03-15")
        context = await signed_in(chromium, team.url, team.member, locale="en-US")
        page = await open_page(context, f"/projects/{team.project_id}")
        await live_on(page)
        await page.fill("#list-from", "2025-02-01")
        await page.fill("#list-to", "2025-02-28")
        assert await page.evaluate(SHOWN) == ["February"]
        assert await page.inner_text("#list-filtered") == "Showing 1 of 3"
        # A new interview in the range shows as it arrives; one outside it stays hidden.
        await upload("Late February", "2025-02-27")
        await upload("April", "2025-04-01")
        await page.wait_for_function(
            "() => document.querySelectorAll('#interviews > li[data-id]').length === 5"
        )
        assert await page.evaluate(SHOWN) == ["Late February", "February"]
        # Another member redates one: it leaves the range live.
        r = await api.patch(f"/api/interviews/{february}", json={"interview_date": "2025-05-01"})
        assert r.status_code == 200, r.text
        await page.wait_for_function(
            f"() => document.querySelector('#interviews > li[data-id=\"{february}\"]').hidden"
        )
        assert await page.evaluate(SHOWN) == ["Late February"]
        await page.fill("#list-to", "")
        assert await page.evaluate(SHOWN) == ["April", "Late February", "March", "February"]
    assert not page.errors, page.errors
    await context.close()
