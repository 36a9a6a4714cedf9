"""The pages' widths between a phone and a desktop, in Korean and English, with a long name.

A browser pass found three things the phone test (390 px only) does not see: between 1024 and
1280 px the top bar stood a long signed-in name one letter per line (the bar 76–307 px tall) and
pushed "Sign out" past the screen; on a 360 px phone the persona comparison scrolled sideways to
566 px (its selects as wide as their longest option); and at 1280 px the workspace's date range
broke after "To" while the sort select beside it stretched to the row's height. Each page is
opened once per language and measured at every width by resizing it.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.e2e.conftest import (
    ARTIFACTS,
    Team,
    company_admin,
    screenshot,
    signed_in,
    until_completed,
    upload_sample,
)
from tests.support import http

pytestmark = [pytest.mark.anyio, pytest.mark.e2e, pytest.mark.slow]

WIDTHS = (360, 1024, 1280)
# The whole bar from 1024 px on: one row (about 57 px), with room for the focus ring.
BAR_MAX = 80
# On a phone: two rows (the search box with language and account, then the sections; about
# 97 px). It was four (171 px).
PHONE_BAR_MAX = 110
# A select or a date input of the list's tools, one line high (42 px).
CONTROL_MAX = 48
NAMES = {
    "ko-KR": "김 아주아주긴이름을가진 연구원 테스트",
    "en-US": "Alexandra Konstantinopoulou-Smith",
}
# Persona titles as long as the demo's; the comparison's selects show "CODE title".
TITLES = (
    "바쁜 출퇴근 직장인 · Busy commuting professional who charges at work",
    "아파트 전기차 운전자 · Apartment EV driver sharing the building's chargers",
)

MEASURE = """() => {
  const box = (selector) => {
    const node = document.querySelector(selector);
    if (!node || !node.getClientRects().length) return null;
    const r = node.getBoundingClientRect();
    return {top: Math.round(r.top), height: Math.round(r.height), right: Math.round(r.right)};
  };
  const width = window.innerWidth;
  const wide = [...document.querySelectorAll("body *")]
    .filter((n) => n.getBoundingClientRect().right > width + 1 && n.getClientRects().length)
    .slice(0, 4)
    .map((n) => `${n.tagName.toLowerCase()}.${[...n.classList].join(".")}`);
  return {
    width,
    scroll: document.documentElement.scrollWidth,
    wide,
    bar: box(".topbar"),
    end: box(".topbar-end"),
    name: box(".me-name"),
    from: box("#list-from"),
    to: box("#list-to"),
    sort: box("#list-sort"),
  };
}"""


async def test_pages_fit_every_width_with_a_long_name(
    chromium: Any, team: Team, worker_settings: Any
) -> None:
    boss = await company_admin(team, worker_settings)
    async with http(team.url, boss) as api:
        r = await api.put(
            "/api/personas/framework",
            json={"axes": [{"name": "충전 습관", "types": [{"name": "직장"}, {"name": "아파트"}]}]},
        )
        assert r.status_code == 200, r.text
        personas = [p["id"] for p in r.json()["personas"]]
        assert len(personas) == 2, r.json()
        for persona_id, title in zip(personas, TITLES, strict=True):
            r = await api.patch(f"/api/personas/{persona_id}", json={"title": title})
            assert r.status_code == 200, r.text
        interview_id = await upload_sample(api, team.project_id)

        project = f"/projects/{team.project_id}"
        compare = f"{project}/personas/compare"
        pages = {
            "workspace": project,
            "compare": compare,
            "compare-ab": f"{compare}?a={personas[0]}&b={personas[1]}",
            "interview": f"/interviews/{interview_id}",
        }
        problems: dict[str, list[str]] = {}
        for locale, long_name in NAMES.items():
            r = await api.patch("/api/me", json={"name": long_name})
            assert r.status_code == 200, r.text
            context = await signed_in(chromium, team.url, boss, locale)
            page = await context.new_page()
            try:
                for label, path in pages.items():
                    if label == "interview":
                        await until_completed(api, interview_id)
                    await page.set_viewport_size({"width": 1280, "height": 860})
                    await page.goto(path)
                    await page.wait_for_load_state("networkidle")
                    if label == "workspace":
                        await page.wait_for_selector("#list-tools:not([hidden])")
                    for width in WIDTHS:
                        await page.set_viewport_size({"width": width, "height": 860})
                        found = _problems(label, width, await page.evaluate(MEASURE))
                        if found:
                            where = f"{label} {width} ({locale[:2]})"
                            problems[where] = found
                            await screenshot(page, "widths-" + re.sub(r"\W+", "-", where))
            finally:
                await context.close()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "widths-problems.json").write_text(
        json.dumps(problems, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    assert not problems, problems


def _problems(label: str, width: int, m: dict[str, Any]) -> list[str]:
    found = []
    if m["scroll"] > m["width"]:
        found.append(f"scrolls sideways: {m['scroll']} > {m['width']} ({m['wide']})")
    # On a phone the bar folds into two rows (search, language and account; then the
    # sections); its account row stays one line however long the name.
    if width >= 1024 and m["bar"]["height"] >= BAR_MAX:
        found.append(f"top bar {m['bar']['height']} px tall")
    if width < 1024 and m["bar"]["height"] > PHONE_BAR_MAX:
        found.append(f"phone top bar {m['bar']['height']} px tall")
    if m["end"]["height"] > CONTROL_MAX:
        found.append(f"language and account {m['end']['height']} px tall")
    if m["name"] is not None and m["name"]["height"] > 30:
        found.append(f"the name wraps ({m['name']['height']} px tall)")
    if label == "workspace" and width == 1280:
        if abs(m["from"]["top"] - m["to"]["top"]) > 2:
            found.append(f"date range on two rows (tops {m['from']['top']}, {m['to']['top']})")
        if m["sort"]["height"] > CONTROL_MAX:
            found.append(f"sort select {m['sort']['height']} px tall")
    return found
