"""The project page reports client-observed delivery latency (issue 17): on the first live
event it asks the server's time, corrects its own clock by the offset, and posts the sample."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from persona_insight.db import Database
from persona_insight.realtime import latency
from tests.e2e.conftest import PASSWORD, Team, live_on, open_page, signed_in
from tests.support import http, make_user

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

# The browser's clock runs an hour ahead of the server's: uncorrected, every sample would read
# 3,600,000 ms (and be dropped as out of bounds).
SKEWED_CLOCK = """
(() => {
  const real = Date.now.bind(Date);
  Date.now = () => real() + 3600 * 1000;
})();
"""


async def test_page_posts_an_offset_corrected_latency_sample(chromium: Any, team: Team) -> None:
    latency.WINDOW.samples.clear()
    latency.LIMITER.windows.clear()
    context = await signed_in(chromium, team.url, team.member, locale="en-US")
    await context.add_init_script(SKEWED_CLOCK)
    page = await open_page(context, f"/projects/{team.project_id}")
    await live_on(page)
    async with (
        page.expect_request(
            lambda r: r.url.endswith("/api/realtime/latency") and r.method == "POST"
        ) as posted,
        http(team.url, team.owner) as api,
    ):
        r = await api.post(
            "/api/workflow/async",
            json={"project_id": team.project_id, "text": "Q: 충전은 어디서 하세요?"},
        )
        assert r.status_code == 202, r.text
    request = await posted.value
    response = await request.response()
    assert response is not None
    assert response.status == 204
    samples = json.loads(request.post_data or "{}")["samples_ms"]
    assert len(samples) == 1
    # Corrected for the hour's skew: what is left is delivery time plus the estimate's error.
    assert -1000 <= samples[0] <= 5000, samples
    assert request.headers.get("x-csrf-token")
    shown = latency.WINDOW.summary(time.time())
    assert shown["count"] == 1
    assert page.errors == []
    await context.close()


async def test_debugger_shows_the_percentiles_at_phone_width(
    chromium: Any, team: Team, worker_settings: Any
) -> None:
    latency.WINDOW.samples.clear()
    latency.LIMITER.windows.clear()
    db = Database(worker_settings.database_url, pool_size=1)
    try:
        root = await make_user(db, email="root@acme.test", role="super_admin")
    finally:
        await db.dispose()
    async with http(team.url, team.member) as api:
        r = await api.post("/api/realtime/latency", json={"samples_ms": [40, 60, 900]})
        assert r.status_code == 204, r.text
    context = await chromium.new_context(
        base_url=team.url, locale="ko-KR", viewport={"width": 360, "height": 800}
    )
    login = await context.request.post(
        "/api/auth/login", data={"email": root.email, "password": PASSWORD}
    )
    assert login.ok
    page = await open_page(context, "/admin/realtime")
    body = page.locator('[data-slot="latency"] td')
    # Server-rendered ("60.0") or already redrawn by the module ("60"): the same numbers.
    assert [float(x) for x in await body.all_inner_texts()] == [3, 60, 900, 900, 900]
    # The module's refresh redraws the row from GET /api/admin/realtime.
    async with http(team.url, team.member) as api:
        await api.post("/api/realtime/latency", json={"samples_ms": [10]})
    await page.locator("#refresh").click()
    await page.wait_for_function(
        "() => document.querySelector('[data-slot=\"latency\"] td')?.textContent === '4'"
    )
    assert [float(x) for x in await body.all_inner_texts()] == [4, 40, 900, 900, 900]
    assert await page.evaluate("() => document.documentElement.scrollWidth") <= 360
    assert page.errors == []
    await context.close()
