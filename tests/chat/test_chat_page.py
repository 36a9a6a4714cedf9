"""The chat page without JavaScript: the forms post, the answers are waited for, and the
conversation shows them with their sources; a refused message is explained in Korean."""

from __future__ import annotations

from typing import Any

import pytest

from tests.chat.world import build
from tests.web.conftest import sign_in

pytestmark = pytest.mark.anyio


async def test_chat_without_javascript(app: Any, worker: None) -> None:
    world = await build(app)
    async with await sign_in(app, world.member.email, "ko") as browser:
        page = await browser.get(f"/projects/{world.project}/chat")
        assert page.status_code == 200, page.text
        assert "고객과 대화하기" in page.text
        assert "P3" in page.text  # a persona without interviews is listed, not offered
        r = await browser.post(
            f"/projects/{world.project}/chat",
            {"persona_code": "P1", "message": "충전할 때 뭐가 불편하세요?"},
        )
        assert r.status_code == 303, r.text
        location = r.headers["location"]
        assert "?c=" in location
        page = await browser.get(location)
        assert page.status_code == 200
        # The mention hint names one of the company's own codes (it said @P2 whatever they were).
        assert "(예: @P3)" in page.text
        quoted = [line for line in world.transcripts[world.korean] if line in page.text]
        assert quoted, "the answer quotes the persona's interview"
        assert f'href="/interviews/{world.korean}#line-' in page.text
        assert "마인드맵" in page.text
        conversation = location.split("?c=")[1]
        r = await browser.post(
            f"/projects/{world.project}/chat",
            {"conversation_id": conversation, "message": "   "},
        )
        assert r.status_code == 422
        assert "먼저 메시지를 입력하세요." in r.text
        # A refused first message comes back as it was typed (a redirect lost it).
        r = await browser.post(
            f"/projects/{world.project}/chat",
            {"message": "배터리가 빨리 닳나요?", "shared": "on"},
        )
        assert r.status_code == 422
        assert 'data-code="persona_required"' in r.text
        assert "배터리가 빨리 닳나요?</textarea>" in r.text
        assert '<input type="checkbox" name="shared" checked>' in r.text
        r = await browser.post(f"/projects/{world.project}/chat/{conversation}/summary")
        assert r.status_code == 303
        page = await browser.get(r.headers["location"].split("#")[0])
        assert "<svg" in page.text
