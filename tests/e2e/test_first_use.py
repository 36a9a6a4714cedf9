"""What a new user tripped on (issue 17): a delete can be undone from its toast and the other
members hear of it; toasts leave the list's status and Delete column free; the project password
is asked for only when people join with one; counts agree with their number; a reply says it
replied."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import (
    ANALYSIS_MS,
    Team,
    live_on,
    open_page,
    rows,
    sample,
    signed_in,
)
from tests.support import http

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

QUICK = "Q: {}번째 질문입니다. 오늘 어떤 점이 가장 불편하셨어요?"

OVERLAP = """() => {
  const covers = (a, b) =>
    a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  const toasts = [...document.querySelectorAll("#toasts > li, #alerts > li")]
    .map((n) => n.getBoundingClientRect());
  const targets = [
    ...document.querySelectorAll("#interviews .row-status, #interviews .row-actions"),
  ].map((n) => n.getBoundingClientRect());
  return toasts.length > 0 && toasts.some((t) => targets.some((r) => covers(t, r)));
}"""


async def test_delete_offers_undo_and_tells_the_others(chromium: Any, team: Team) -> None:
    async with http(team.url, team.owner) as api:
        for n in range(6):
            r = await api.post(
                "/api/workflow/async",
                json={"project_id": team.project_id, "text": QUICK.format(n)},
            )
            assert r.status_code == 202, r.text
    mine = await signed_in(chromium, team.url, team.member, locale="en-US")
    theirs = await signed_in(chromium, team.url, team.owner, locale="en-US")
    page = await open_page(mine, f"/projects/{team.project_id}")
    other = await open_page(theirs, f"/projects/{team.project_id}")
    for p in (page, other):
        await live_on(p)
        await p.wait_for_function(
            "() => document.querySelectorAll('#interviews > li[data-id]').length === 6"
        )
    target = next(iter(await rows(page)))

    await page.click(f"#interviews > li[data-id='{target}'] form[data-action=delete] button")
    undo = page.locator("#toasts > li", has_text="Moved to the trash").get_by_role(
        "button", name="Undo"
    )
    await undo.wait_for()
    # The other member is told, and can bring it back too…
    told = other.locator("#toasts > li", has_text="Another member moved an interview")
    await told.wait_for()
    assert await told.get_by_role("button", name="Restore").count() == 1
    await other.wait_for_function(
        "(id) => !document.querySelector(`#interviews > li[data-id='${id}']`)", arg=target
    )
    # …and no toast sits on the rows' status or Delete button.
    assert not await page.evaluate(OVERLAP)
    assert not await other.evaluate(OVERLAP)

    await undo.click()
    for p in (page, other):
        await p.wait_for_function(
            "(id) => document.querySelector(`#interviews > li[data-id='${id}']`)", arg=target
        )
    await other.locator("#toasts > li", has_text="Another member restored").wait_for()
    assert target not in await rows(page, "trash-list")
    assert not page.errors, page.errors
    assert not other.errors, other.errors
    await mine.close()
    await theirs.close()


async def test_project_password_only_when_joining_by_password(chromium: Any, team: Team) -> None:
    context = await signed_in(chromium, team.url, team.owner, locale="ko-KR")
    for path in ("/projects/new", f"/projects/{team.project_id}/settings"):
        page = await open_page(context, path)
        assert not await page.locator("#f-password").is_visible()
        await page.locator("input[name=join_method][value=password]").check()
        assert await page.locator("#f-password").is_visible()
        await page.locator("input[name=join_method][value=open]").check()
        assert not await page.locator("#f-password").is_visible()
    await context.close()


@pytest.mark.slow
async def test_counts_and_replies_read_right(chromium: Any, team: Team) -> None:
    async with http(team.url, team.owner) as api:
        name, text = sample("en_online_grocery.txt")
        r = await api.post(
            "/api/workflow/async",
            files={"file": (name, text.encode(), "text/plain")},
            data={"project_id": team.project_id},
        )
        interview_id = r.json()["interview_id"]
        context = await signed_in(chromium, team.url, team.member, locale="en-US")
        page = await open_page(context, f"/projects/{team.project_id}")
        await page.wait_for_selector(
            f"#interviews > li[data-id='{interview_id}'][data-status=completed]",
            timeout=ANALYSIS_MS,
        )
        await page.goto(f"/interviews/{interview_id}")
        # The count is written by the page's module: wait for it rather than read it at once
        # (CI read the text before the module had counted the tick).
        await page.locator(".line-select").nth(2).check()
        await page.wait_for_function(
            "() => document.getElementById('selection').innerText.startsWith('1 line selected')"
        )
        await page.locator(".line-select").nth(3).check()
        await page.wait_for_function(
            "() => document.getElementById('selection').innerText.startsWith('2 lines selected')"
        )

        line = int(await page.locator(".line-select").nth(2).get_attribute("value") or 0)
        r = await api.post(
            f"/api/interviews/{interview_id}/notes", json={"line_ids": [line], "text": "first"}
        )
        assert r.status_code == 201, r.text
        note = r.json()["id"]
        await page.locator("#toasts > li", has_text="added a note").wait_for()
        badge = page.locator(f"#line-{line} [data-slot=notes]")
        await badge.wait_for()
        assert (await badge.inner_text()).strip() == "1 note"
        r = await api.post(
            f"/api/interviews/{interview_id}/notes", json={"parent_id": note, "text": "agreed"}
        )
        assert r.status_code == 201, r.text
        await page.locator("#toasts > li", has_text="replied").wait_for()
        assert await page.locator("#toasts > li", has_text="added a note").count() == 1
    assert not page.errors, page.errors
    await context.close()
