"""The knowledge pages at 360 px, in Korean and English: the admin's list and upload form and a
document's passages fit the screen — long titles, long file names, URLs and unbroken words in a
document included — and a search finding a document opens its passage."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Team, company_admin, open_page, screenshot, signed_in
from tests.e2e.test_phone import LAYOUT_PROBLEMS
from tests.support import http

pytestmark = [pytest.mark.anyio, pytest.mark.e2e, pytest.mark.slow]

PHONE = {"width": 360, "height": 740}
REPORT = (
    "2026 전기차충전인프라시장동향및이용자불만사항종합분석보고서\n\n"
    "아파트 단지의 완속 충전기 보급률은 세대수 대비 3% 수준에 머물러 있다. 출처: "
    "https://www.example.org/reports/electric-vehicle-charging-infrastructure/2026/apartment"
    "-complexes/slow-chargers?format=pdf&lang=ko\n\n"
    "Public fast chargers on highways are out of order 12% of the time; "
    "the_charging_operator_reliability_index_for_highway_rest_areas_in_2026 fell again."
).encode()
FILENAME = "2026_전기차_충전_인프라_시장_동향_및_이용자_불만_사항_종합_분석_보고서_최종본_v12.txt"
TITLE = "Electric vehicle charging infrastructure market overview and user complaints 2026"


@pytest.mark.timeout(900)
async def test_knowledge_pages_fit_a_phone(chromium: Any, team: Team, worker_settings: Any) -> None:
    boss = await company_admin(team, worker_settings)
    async with http(team.url, boss) as api:
        # The first document loads the embedding model into the server: minutes when loaded.
        api.timeout = httpx.Timeout(300)
        r = await api.post(
            "/api/knowledge",
            files={"file": (FILENAME, REPORT, "text/plain")},
            data={"title": TITLE},
        )
        assert r.status_code == 201, r.text
        company_doc = r.json()["id"]
        r = await api.post(
            "/api/knowledge",
            files={"file": ("리서치노트.txt", REPORT, "text/plain")},
            data={"project_id": team.project_id},
        )
        assert r.status_code == 201, r.text
        project_doc = r.json()["id"]
        found = (await api.get("/api/search", params={"q": "완속 충전기 보급률"})).json()
    chunk = next(i for i in found["items"] if i["kind"] == "document")["url"]

    for locale in ("ko-KR", "en-US"):
        context = await signed_in(chromium, team.url, boss, locale=locale)
        for path, name in (
            ("/admin/knowledge", "list"),
            (f"/knowledge/{company_doc}", "document"),
            (f"/knowledge/{project_doc}", "project-document"),
            (chunk, "passage"),
        ):
            page = await open_page(context, path)
            await page.set_viewport_size(PHONE)
            await page.wait_for_load_state("networkidle")
            problems = await page.evaluate(LAYOUT_PROBLEMS)
            await screenshot(page, f"knowledge-{name}-{locale[:2]}-360")
            assert problems == [], (locale, path, problems)
            if name == "list":
                # The upload form is whole and usable on the phone.
                for field in ("#knowledge-file", "#knowledge-project", "button[type=submit]"):
                    box = await page.locator(field).first.bounding_box()
                    assert box is not None, field
                    assert box["x"] >= 0, field
                    assert box["x"] + box["width"] <= PHONE["width"], field
                assert await page.locator(f"#document-{company_doc}").is_visible()
            if name == "passage":
                anchor = chunk.split("#", 1)[1]
                assert await page.locator(f"#{anchor}").is_visible()
            assert page.errors == [], (path, page.errors)
            await page.close()
        await context.close()
