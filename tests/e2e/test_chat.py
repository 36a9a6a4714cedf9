"""Two members on a shared conversation: one asks two personas at once; both see the answers
arrive (the asker as they stream, the other live from the project stream), and a citation opens
the interview at the quoted line."""

from __future__ import annotations

from typing import Any

import pytest

from tests.chat.world import World, build, read_stream
from tests.e2e.conftest import open_page, screenshot, signed_in
from tests.e2e.test_phone import LAYOUT_PROBLEMS
from tests.support import http

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

QUESTION = "@P1 @P2 what is the most frustrating part? 제일 불편한 점은요?"
# The answers of the last round, where they stand on the page.
ROUND_BOXES = """() => [...[...document.querySelectorAll('#chat-messages .chat-round')].at(-1)
    .querySelectorAll('.chat-persona')].map((n) => {
      const r = n.getBoundingClientRect();
      return {top: Math.round(r.top), bottom: Math.round(r.bottom),
              left: Math.round(r.left), right: Math.round(r.right)};
    })"""


ANSWERS = "() => document.querySelectorAll('#chat-messages .chat-persona').length"


async def shared_conversation(live: Any) -> tuple[World, str]:
    """The world, and the page of a shared conversation with P1 that has one answer."""
    world = await build(live.app)
    async with http(live.url, world.member) as api:
        headers, _ = await read_stream(
            api,
            "POST",
            "/api/chat",
            json={
                "project_id": world.project,
                "persona_code": "P1",
                "message": "충전은 어디서 하세요?",
                "shared": True,
            },
        )
    return world, f"/projects/{world.project}/chat?c={headers['x-conversation-id']}"


async def test_shared_conversation_two_personas_live(chromium: Any, live: Any) -> None:
    world, path = await shared_conversation(live)
    asker_context = await signed_in(chromium, live.url, world.member)
    reader_context = await signed_in(chromium, live.url, world.admin)
    asker = await open_page(asker_context, path)
    reader = await open_page(reader_context, path)
    assert await reader.evaluate(ANSWERS) == 1
    # The reader may not write here; the asker may.
    assert await reader.locator("#chat-composer").count() == 0
    # Let the reader's stream connect before the question goes out.
    await reader.wait_for_timeout(1000)

    await asker.fill("#chat-message", QUESTION)
    await asker.click("#chat-composer button[type=submit]")
    for page in (asker, reader):
        await page.wait_for_function(f"() => ({ANSWERS})() === 3", timeout=30_000)
        codes = await page.locator(
            "#chat-messages .chat-persona .persona-name strong"
        ).all_inner_texts()
        assert codes == ["P1", "P1", "P2"]
    await asker.wait_for_function(
        "() => !document.querySelector('#chat-messages [aria-busy]')", timeout=30_000
    )
    assert await reader.locator("#chat-messages .chat-user").count() == 2
    await screenshot(reader, "chat-shared-reader")

    # The two personas answering one message stand side by side on a wide screen; every line
    # they cite is in the sources panel beside the conversation, live as on a fresh page.
    for page in (asker, reader):
        boxes = await page.evaluate(ROUND_BOXES)
        assert len(boxes) == 2, boxes
        assert boxes[0]["top"] == boxes[1]["top"], boxes
        assert boxes[0]["right"] <= boxes[1]["left"], boxes
        cited = await page.locator("#chat-messages .chat-citations a").count()
        assert cited > 0
        assert await page.locator("#chat-sources li").count() == cited
        sources = await page.locator("#chat-sources").bounding_box()
        conversation = await page.locator("#chat-messages").bounding_box()
        assert sources["x"] >= conversation["x"] + conversation["width"]

    # A citation of P2's answer opens its interview at the line.
    link = reader.locator("#chat-messages .chat-persona").nth(2).locator(".chat-citations a").first
    href = await link.get_attribute("href")
    assert href is not None
    assert href.startswith(f"/interviews/{world.english}#line-")
    await link.click()
    await reader.wait_for_url(f"**/interviews/{world.english}#line-*")
    line = href.split("#", 1)[1]
    await reader.locator(f"#{line}").wait_for()
    assert await reader.evaluate("() => document.querySelector(':target') !== null")
    assert not asker.errors
    assert not reader.errors

    # On a phone the same round is stacked, and nothing scrolls sideways.
    phone = await chromium.new_context(
        base_url=live.url, locale="ko-KR", viewport={"width": 360, "height": 740}
    )
    await phone.request.post(
        "/api/auth/login", data={"email": world.admin.email, "password": "correct horse battery"}
    )
    small = await open_page(phone, path)
    boxes = await small.evaluate(ROUND_BOXES)
    assert boxes[1]["top"] >= boxes[0]["bottom"], boxes
    problems = await small.evaluate(LAYOUT_PROBLEMS)
    assert problems == [], problems
    await screenshot(small, "chat-shared-phone")


async def test_answers_announced_before_their_stream_arrives_are_not_doubled(
    chromium: Any, live: Any
) -> None:
    """On a shared conversation the project stream announces each stored answer, and on a busy
    machine that announcement can reach the asker's page before the answer's own stream does:
    the page then holds each answer once, with its text once, as a fresh page shows it."""
    world, path = await shared_conversation(live)
    asker = await open_page(await signed_in(chromium, live.url, world.member), path)
    await asker.wait_for_timeout(1000)

    held: list[Any] = []

    async def hold(route: Any) -> None:
        # The whole answer is read here, and handed to the page only once the project stream
        # has shown both answers.
        held.append(await route.fetch())
        await asker.wait_for_function(f"() => ({ANSWERS})() === 3", timeout=30_000)
        await route.fulfill(response=held[0])

    await asker.route("**/api/chat", hold)
    await asker.fill("#chat-message", QUESTION)
    await asker.click("#chat-composer button[type=submit]")
    await asker.wait_for_function(
        "() => !document.querySelector('#chat-composer button[type=submit]').disabled",
        timeout=30_000,
    )
    assert held
    texts = (
        "() => [...document.querySelectorAll('#chat-messages .chat-persona .chat-text')]"
        ".map((n) => n.textContent.trim())"
    )
    sources = "() => document.querySelectorAll('#chat-sources li').length"
    shown, shown_sources = await asker.evaluate(texts), await asker.evaluate(sources)
    assert len(shown) == 3, shown
    await asker.reload()
    assert await asker.evaluate(texts) == shown
    assert await asker.evaluate(sources) == shown_sources
    assert not asker.errors
