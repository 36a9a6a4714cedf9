"""A member who drops off the network catches up when back, without reloading the page: the
event stream resumes from the last event id and the list ends up equal to a fresh load."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.e2e.conftest import Team, live_on, open_page, rows, signed_in
from tests.support import http

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

# A question with no answer fails at once (empty_transcript), so statuses settle fast.
QUICK = "Q: {}번째 질문입니다. 오늘 어떤 점이 가장 불편하셨어요?"
SETTLED = {"completed", "failed"}


async def fresh_load(api: Any, project_id: str) -> tuple[dict[str, str], set[str]]:
    listed = (await api.get(f"/api/projects/{project_id}/interviews")).json()["items"]
    trash = (await api.get(f"/api/projects/{project_id}/trash")).json()["items"]
    return {iv["id"]: iv["status"] for iv in listed}, {iv["id"] for iv in trash}


async def settled(
    api: Any, project_id: str, timeout: float = 60
) -> tuple[dict[str, str], set[str]]:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        listed, trash = await fresh_load(api, project_id)
        if set(listed.values()) <= SETTLED:
            return listed, trash
        assert asyncio.get_running_loop().time() < deadline, listed
        await asyncio.sleep(0.2)


async def test_offline_member_catches_up_without_reload(chromium: Any, team: Team) -> None:
    context = await signed_in(chromium, team.url, team.member, locale="en-US")
    page = await open_page(context, f"/projects/{team.project_id}")
    await live_on(page)
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    await page.evaluate("() => { window.sameDocument = true; }")

    async with http(team.url, team.owner) as api:
        first = []
        for n in range(2):
            r = await api.post(
                "/api/workflow/async", json={"project_id": team.project_id, "text": QUICK.format(n)}
            )
            first.append(r.json()["interview_id"])
        await page.wait_for_function(
            "() => document.querySelectorAll('#interviews > li[data-id]').length === 2"
        )

        await context.set_offline(True)
        await page.wait_for_selector('#conn[data-state="offline"]')
        # While B is away, A uploads and deletes.
        for n in range(3):
            await api.post(
                "/api/workflow/async",
                json={"project_id": team.project_id, "text": QUICK.format(n + 10)},
            )
        assert (await api.delete(f"/api/interviews/{first[0]}")).status_code == 200
        expected = await settled(api, team.project_id)
        assert len(expected[0]) == 4
        assert expected[1] == {first[0]}
        await asyncio.sleep(0.5)
        assert len(await rows(page)) == 2  # nothing reached B while offline

        await context.set_offline(False)
        await live_on(page)
        await page.wait_for_function(
            "(want) => document.querySelectorAll('#interviews > li[data-id]').length === want",
            arg=len(expected[0]),
        )
        # The list and the trash equal a fresh load, statuses included…
        deadline = asyncio.get_running_loop().time() + 10
        while (await rows(page), set(await rows(page, "trash-list"))) != expected:
            assert asyncio.get_running_loop().time() < deadline, (await rows(page), expected)
            await asyncio.sleep(0.1)
    # …and the page was never reloaded.
    assert navigations == []
    assert await page.evaluate("() => window.sameDocument === true")
    assert not [e for e in page.errors if "ERR_INTERNET_DISCONNECTED" not in e], page.errors
    await context.close()
