""" "Which persona fits?" explained, in the browser at 390 px: with the company's `llm` engine (a
fake OpenAI server on 127.0.0.1) the personas page offers to ask the engine why; the answer
streams into the page with the quotes it cites, each a link to its line."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.analysis.fakes.openai_server import FakeOpenAI, Reply
from tests.analysis.fakes.server import serving
from tests.e2e.conftest import (
    Team,
    open_page,
    screenshot,
    signed_in,
    until_completed,
    upload_sample,
)
from tests.e2e.test_personas_live import with_framework
from tests.e2e.test_phone import LAYOUT_PROBLEMS
from tests.support import http

pytestmark = [pytest.mark.anyio, pytest.mark.e2e, pytest.mark.slow]

QUESTION = "충전 대기 때문에 힘든 고객"


def _respond(body: dict[str, Any]) -> Reply:
    system = "\n".join(
        str(m["content"]) for m in body["messages"] if m["role"] in ("system", "developer")
    )
    if "Say which persona fits" not in system:
        return Reply(text="{}")
    user = "\n".join(str(m["content"]) for m in body["messages"] if m["role"] == "user")
    code = re.search(r'persona "(P\d+)', user)
    return Reply(text=f"{code.group(1) if code else '?'} 페르소나가 가장 잘 맞습니다 [1].")


@pytest.fixture
def model() -> Iterator[FakeOpenAI]:
    with serving(FakeOpenAI(_respond)) as fake:
        yield fake


async def test_the_engine_explains_which_persona_fits(
    chromium: Any, team: Team, worker_settings: Any, model: FakeOpenAI
) -> None:
    admin, personas = await with_framework(team, worker_settings)
    fast = next(p for p in personas if p["traits"] == ["급속 충전"])
    async with http(team.url, team.owner) as api:
        interview_id = await upload_sample(api, team.project_id)
        await until_completed(api, interview_id)
        r = await api.patch(
            f"/api/interviews/{interview_id}/persona", json={"persona_code": fast["code"]}
        )
        assert r.status_code == 200, r.text
        # The quotes come from the search index, written by a job after the analysis.
        for _ in range(240):
            ranked = (
                await api.post(
                    f"/api/projects/{team.project_id}/personas/fit", json={"question": QUESTION}
                )
            ).json()
            if any(item["quotes"] for item in ranked["items"]):
                break
            await asyncio.sleep(0.5)
        else:
            raise AssertionError(json.dumps(ranked, ensure_ascii=False))
    async with http(team.url, admin) as api:
        r = await api.put(
            "/api/company/analysis",
            json={"engine": "llm", "llm_model": "fake-model", "llm_base_url": model.base_url},
        )
        assert r.status_code == 200, r.text

    context = await signed_in(chromium, team.url, team.owner)
    await context.set_extra_http_headers({})
    page = await open_page(context, f"/projects/{team.project_id}/personas?q={QUESTION}#fit")
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.click("#fit-explain-go")
    await page.wait_for_selector("#fit-explain-sources li a")
    said = await page.inner_text("#fit-explain-text")
    assert said.startswith(f"{fast['code']} 페르소나가 가장 잘 맞습니다"), said
    href = await page.get_attribute("#fit-explain-sources li a", "href")
    assert href is not None
    assert href.startswith(f"/interviews/{interview_id}#line-")
    assert await page.evaluate(LAYOUT_PROBLEMS) == []
    await screenshot(page, "fit-explain-ko-390")
    assert page.errors == []
    await context.close()
