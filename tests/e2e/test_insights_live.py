"""Two researchers: one uploads a transcript; the other, on the insights page, sees the themes
and counts change as the analysis completes and the recomputation runs — no reload. At 360 px."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import (
    ANALYSIS_MS,
    Team,
    drop_files,
    live_on,
    open_page,
    sample,
    screenshot,
    signed_in,
)

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]


async def test_upload_changes_the_other_members_insights_live(chromium: Any, team: Team) -> None:
    a_context = await signed_in(chromium, team.url, team.owner)
    b_context = await signed_in(chromium, team.url, team.member)
    a = await open_page(a_context, f"/projects/{team.project_id}")
    b = await open_page(b_context, f"/projects/{team.project_id}/insights")
    await b.set_viewport_size({"width": 360, "height": 800})
    await live_on(a)
    await live_on(b)
    assert await b.locator("#insight-empty").is_visible()
    assert await b.locator("li.theme").count() == 0

    await drop_files(a, [sample("ko_food_delivery.txt")])
    await a.wait_for_function(
        "() => document.querySelectorAll('#interviews > li[data-status=completed]').length === 1",
        timeout=ANALYSIS_MS,
    )
    # B's page fills in by itself once the themes are recomputed (debounced by a few seconds).
    await b.wait_for_function(
        "() => document.querySelectorAll('#themes-pain li.theme').length > 0", timeout=30_000
    )
    assert not await b.locator("#insight-empty").is_visible()
    assert "인터뷰 1개" in await b.locator("#insight-counts").inner_text()
    first = await b.locator("#themes-pain li.theme [data-slot=label]").first.inner_text()
    assert first.strip()
    # No horizontal scrolling at 360 px.
    wide = await b.evaluate("() => document.documentElement.scrollWidth")
    assert wide <= 360
    await screenshot(b, "insights_live_360")

    # The company dashboard, from the top navigation, shows the same theme at 360 px.
    await b.locator("nav.mainnav a[href='/dashboard']").click()
    await b.wait_for_url("**/dashboard")
    assert await b.locator("#dashboard-empty").count() == 0
    assert first.strip() in await b.locator(".dashboard-themes").first.inner_text()
    assert await b.evaluate("() => document.documentElement.scrollWidth") <= 360
    await screenshot(b, "dashboard_360")
    assert not b.errors, b.errors
    assert not a.errors, a.errors
