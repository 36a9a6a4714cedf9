"""In the browser (ko, 360 px): a large project's report is made by a job — the menu's link shows
the job's progress in a toast and the PDF downloads by itself when it is ready."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import ANALYSIS_MS, Team, live_on, open_page, sample, signed_in
from tests.support import http

pytestmark = [pytest.mark.anyio, pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture
def worker_settings(settings: Any) -> Any:
    # Every project with an interview is "large": its report comes from the job.
    return settings.model_copy(
        update={
            "run_worker_in_process": True,
            "worker_concurrency": 2,
            "report_background_above": 0,
        }
    )


async def test_report_job_downloads_when_ready(chromium: Any, team: Team) -> None:
    _, text = sample("ko_ev_charging.txt")
    async with http(team.url, team.owner) as api:
        r = await api.post(
            "/api/workflow/async", json={"project_id": team.project_id, "text": text}
        )
        assert r.status_code == 202, r.text
    context = await signed_in(chromium, team.url, team.owner)
    page = await open_page(context, f"/projects/{team.project_id}")
    await page.set_viewport_size({"width": 360, "height": 800})
    await live_on(page)
    await page.wait_for_function(
        "() => document.querySelectorAll('#interviews > li[data-status=completed]').length === 1",
        timeout=ANALYSIS_MS,
    )
    await page.click("#report-downloads summary")
    async with page.expect_download(timeout=60_000) as waiting:
        await page.click("text=보고서 (PDF)")
    download = await waiting.value
    assert download.suggested_filename == "전기차 충전 경험 조사 – 보고서.pdf"
    assert (await download.path()).read_bytes().startswith(b"%PDF")
    assert await page.locator(".toast-title", has_text="보고서가 준비되었습니다").count() == 1
    assert not page.errors
