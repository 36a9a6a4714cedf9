"""Two researchers in one project, each in their own browser: uploads, analyses, deletions and
notes made by one appear for the other as they happen, with the seed's notifications."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.e2e.conftest import (
    ANALYSIS_MS,
    Team,
    drop_files,
    live_on,
    open_page,
    rows,
    sample,
    screenshot,
    signed_in,
)

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

FILES = [sample("ko_food_delivery.txt"), sample("en_fitness_app.txt")]


async def count_rows(page: Any, status: str | None = None) -> int:
    selector = "#interviews > li[data-id]" + (f'[data-status="{status}"]' if status else "")
    return int(await page.locator(selector).count())


async def test_two_members_see_each_other_live(chromium: Any, team: Team) -> None:
    a_context = await signed_in(chromium, team.url, team.owner)
    b_context = await signed_in(chromium, team.url, team.member)
    workspace = f"/projects/{team.project_id}"
    a = await open_page(a_context, workspace)
    b = await open_page(b_context, workspace)
    await live_on(a)
    await live_on(b)
    # Each sees the other among the people here.
    await b.wait_for_function("() => document.querySelectorAll('#presence li').length === 2")

    # A drops two files; each shows its upload, then the server's status.
    await drop_files(a, FILES)
    await a.wait_for_function(
        "() => [...document.querySelectorAll('#upload-queue .upload-item')]"
        ".filter((i) => i.dataset.state !== 'uploading').length === 2"
    )
    uploaded_at = time.monotonic()
    # B's list has them within a second of the upload, with the seed's notification.
    await b.wait_for_function(
        "() => document.querySelectorAll('#interviews > li[data-id]').length === 2", timeout=1000
    )
    assert time.monotonic() - uploaded_at < 1.0
    await b.locator("#toasts .toast", has_text="새 인터뷰가 추가되었습니다").first.wait_for()
    # …and then sees both complete, with the seed's other notification.
    await b.wait_for_function(
        "() => document.querySelectorAll('#interviews > li[data-status=completed]').length === 2",
        timeout=ANALYSIS_MS,
    )
    await b.locator("#toasts .toast", has_text="인터뷰 분석이 완료되었습니다").first.wait_for()
    await screenshot(b, "collaboration-workspace-b")

    # A deletes one; it leaves B's list for B's trash.
    listed = await rows(b)
    gone, kept = sorted(listed)
    await a.locator(f'#interviews > li[data-id="{gone}"] form[data-action=delete] button').click()
    await b.wait_for_function(
        "(id) => !document.querySelector(`#interviews > li[data-id='${id}']`)",
        arg=gone,
        timeout=2000,
    )
    assert gone in await rows(b, "trash-list")
    assert await rows(b) == {kept: "completed"}

    # Both open the other interview. A writes a note on a script line; B sees it and replies.
    a_detail = await open_page(a_context, f"/interviews/{kept}")
    b_detail = await open_page(b_context, f"/interviews/{kept}")
    line = a_detail.locator(".line.speaker-answer").nth(1)
    key = await line.get_attribute("data-key")
    await line.locator(".line-select").check()
    await a_detail.fill("#note-text", "결제 불편이 반복해서 나와요 — 다음 라운드에서 더 파 보기")
    await a_detail.click("#note-form button[type=submit]")
    note = b_detail.locator("#notes-list > .note").first
    await note.wait_for(timeout=2000)
    assert "결제 불편이 반복해서" in await note.locator(".note-text").inner_text()
    assert await note.locator(".note-lines a").inner_text() == f"#{key}"
    await b_detail.wait_for_function(
        "(key) => !document.querySelector(`#line-${key} .line-notes`).hidden", arg=key
    )

    await note.locator(".note-reply-box summary").click()
    await note.locator(".note-reply-box textarea").fill(
        "동의해요. 인터뷰 가이드에 질문 추가할게요."
    )
    await note.locator(".note-reply-box button[type=submit]").click()
    reply = a_detail.locator("#notes-list > .note .note-replies > .note")
    await reply.wait_for(timeout=2000)
    assert "인터뷰 가이드에 질문" in await reply.locator(".note-text").inner_text()
    # B may not edit or delete A's note; A may edit their own.
    assert await b_detail.locator(
        "#notes-list > .note > .note-actions [data-slot=edit]"
    ).is_hidden()
    assert await a_detail.locator(
        "#notes-list > .note > .note-actions [data-slot=edit]"
    ).is_visible()
    await screenshot(a_detail, "collaboration-notes-a")

    for page in (a, b, a_detail, b_detail):
        assert not page.errors, page.errors
    await a_context.close()
    await b_context.close()
