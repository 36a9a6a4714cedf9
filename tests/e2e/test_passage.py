"""Ask about this passage in the browser: a researcher ticks two lines of the script, asks, sees
the answer stream beside the script citing those lines, opens a citation at its line and keeps
the answer as a note; on a 360 px phone the same works without sideways scrolling."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import open_page, screenshot, signed_in
from tests.e2e.test_phone import LAYOUT_PROBLEMS
from tests.search.conftest import indexed_interview
from tests.support import make_project, make_user

pytestmark = [pytest.mark.anyio, pytest.mark.e2e, pytest.mark.slow]

QUESTION = "예약이 되면 충전 문제가 풀릴까요?"


@pytest.fixture
def worker_settings(settings: Any) -> Any:
    # The interview is analysed and indexed by the test itself, as the jobs would.
    return settings.model_copy(update={"run_worker_in_process": False})


async def _ask(page: Any, keys: list[int]) -> None:
    for key in keys:
        await page.locator(f"#sel-{key}").check()
    scope = page.locator("#passage-scope")
    await scope.wait_for()
    assert await scope.inner_text() == "대상 문장 " + ", ".join(f"#{k}" for k in keys)
    await page.fill("#passage-question", QUESTION)
    await page.click("#passage-form button[type=submit]")
    await page.locator("#passage-save").wait_for(state="visible", timeout=30_000)


async def test_ask_about_a_passage_and_keep_the_answer(chromium: Any, live: Any) -> None:
    db = live.app.api.state.runtime.db
    owner = await make_user(db, email="minji@acme.test")
    project = await make_project(live.app, owner)
    interview = await indexed_interview(live.app, owner, project["id"], title="김 님 인터뷰")
    context = await signed_in(chromium, live.url, owner)
    page = await open_page(context, f"/interviews/{interview}")
    await page.locator("#passage").wait_for(state="visible")
    assert await page.locator("#passage-scope").inner_text() == (
        "선택한 문장이 없어 인터뷰 전체에 대해 묻습니다."
    )

    await _ask(page, [3, 4])
    text = await page.locator("#passage-text").inner_text()
    assert text.startswith("「김 님 인터뷰」에서 선택한 발언 2개입니다.")
    assert "근처 공용 충전소까지 차를 몰고 가서 한참 기다려요." in text
    links = page.locator("#passage-citations a")
    hrefs = [await links.nth(i).get_attribute("href") for i in range(await links.count())]
    assert hrefs[:2] == ["#line-3", "#line-4"]
    assert "#line-7" in hrefs[2:]  # the interview's context: 예약 기능이 있으면 정말 좋겠어요.
    await screenshot(page, "passage-answer")

    await links.nth(1).click()
    await page.wait_for_function(
        "() => document.getElementById('line-4').classList.contains('is-highlighted')"
    )

    await page.click("#passage-save")
    note = page.locator("#notes-list > .note").first
    await note.wait_for()
    assert (await note.inner_text()).count(f"질문: {QUESTION}") == 1
    assert await page.locator("#notes-count").inner_text() == "1"
    await page.wait_for_function("() => document.getElementById('passage-save').disabled")
    assert await page.locator("#passage-save").inner_text() == "메모로 저장했습니다"
    assert not page.errors

    phone = await chromium.new_context(
        base_url=live.url, locale="en-US", viewport={"width": 360, "height": 740}
    )
    phone.set_default_timeout(15_000)
    await phone.request.post(
        "/api/auth/login", data={"email": owner.email, "password": "correct horse battery"}
    )
    small = await open_page(phone, f"/interviews/{interview}")
    await small.locator("#sel-2").check()
    await small.locator("#ask-passage").click()
    await small.fill("#passage-question", "Why was it uncomfortable?")
    await small.click("#passage-form button[type=submit]")
    await small.locator("#passage-save").wait_for(state="visible", timeout=30_000)
    assert (await small.locator("#passage-citations a").first.get_attribute("href")) == "#line-2"
    problems = await small.evaluate(LAYOUT_PROBLEMS)
    assert problems == [], problems
    await screenshot(small, "passage-answer-phone")
    assert not small.errors
