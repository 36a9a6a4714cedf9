"""A recording's interview page: the player is there, clicking a script line's time moves the
player's currentTime to that line and plays it, and the line being spoken is marked."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import ANALYSIS_MS, Team, open_page, screenshot, signed_in
from tests.media.speech import INTERVIEW, needs_espeak, synthesize
from tests.support import http

pytestmark = [pytest.mark.anyio, pytest.mark.e2e, pytest.mark.slow, needs_espeak]


@pytest.fixture(scope="module")
def speech_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from persona_insight.media.models import ensure_model

    return ensure_model(tmp_path_factory.mktemp("models"))


@pytest.fixture
def settings(settings: Any, speech_model: Path) -> Any:
    return settings.model_copy(update={"speech_model_dir": speech_model})


async def _completed(api: Any, interview_id: str) -> dict[str, Any]:
    deadline = asyncio.get_running_loop().time() + 2 * ANALYSIS_MS / 1000
    while asyncio.get_running_loop().time() < deadline:
        body: dict[str, Any] = (await api.get(f"/api/interviews/{interview_id}")).json()
        if body["status"] in ("completed", "failed"):
            assert body["status"] == "completed", body["error"]
            return body
        await asyncio.sleep(0.3)
    raise AssertionError("the recording was not transcribed and analysed in time")


async def test_clicking_a_line_plays_from_it(chromium: Any, team: Team) -> None:
    wav, _ = synthesize(INTERVIEW)
    async with http(team.url, team.owner) as api:
        r = await api.post(
            "/api/workflow/async",
            data={"project_id": team.project_id, "language": "en", "title": "Grocery call"},
            files={"file": ("grocery.wav", wav, "audio/wav")},
        )
        assert r.status_code == 202, r.text
        interview_id = r.json()["interview_id"]
        await _completed(api, interview_id)

    context = await signed_in(chromium, team.url, team.owner, locale="ko-KR")
    page = await open_page(context, f"/interviews/{interview_id}")
    player = page.locator("#player")
    await player.wait_for()
    assert await page.locator("#player-h").inner_text() == "녹음"
    lines = page.locator(".line[data-start]")
    assert await lines.count() >= 4
    third = lines.nth(2)
    start_ms = int(await third.get_attribute("data-start") or "0")
    assert start_ms > 0

    await third.locator(".line-play").click()
    # Generous: under the full suite's load the recording's metadata can take seconds to come.
    await page.wait_for_function(
        "ms => document.getElementById('player').currentTime >= ms / 1000 - 0.05",
        arg=start_ms,
        timeout=30_000,
    )
    await page.locator(".line.is-playing").first.wait_for()
    playing = page.locator(".line.is-playing")
    assert await playing.count() == 1
    assert await playing.get_attribute("data-start") == str(start_ms)
    await screenshot(page, "audio-playback")

    # At 360 px the player still fits the page.
    await page.set_viewport_size({"width": 360, "height": 740})
    width = await page.evaluate("document.getElementById('player').getBoundingClientRect().width")
    assert 0 < width <= 360
    overflow = await page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= 360
    # Each detected speaker can be named, and each recorded line says who speaks.
    assert await page.locator(".speaker-rename").count() >= 2
    assert await page.locator(".speaker-rename input[name=name]").first.is_visible()
    assert await page.locator(".line-speaker", has_text="Speaker 1").count() >= 1

    # A search result opens the interview at its line: the player starts from that line.
    async with http(team.url, team.owner) as api:
        deadline = asyncio.get_running_loop().time() + 60
        while True:
            found = (await api.get("/api/search", params={"q": "prices"})).json()
            if found["groups"]:
                break
            assert asyncio.get_running_loop().time() < deadline, "the recording was never indexed"
            await asyncio.sleep(0.5)
    await page.set_viewport_size({"width": 1280, "height": 800})
    await page.goto(f"{team.url}/search?q=prices")
    await page.locator("a.search-open").first.click()
    hit = found["groups"][0]["hits"][0]["line_id"]
    await page.wait_for_url(f"**/interviews/{interview_id}#line-{hit}")
    target = page.locator(f"#line-{hit}")
    hit_ms = int(await target.get_attribute("data-start") or "0")
    assert hit_ms > start_ms
    await page.wait_for_function(
        "ms => Math.abs(document.getElementById('player').currentTime - ms / 1000) < 0.5",
        arg=hit_ms,
        timeout=10_000,
    )
    await target.and_(page.locator(".is-playing")).wait_for()

    # An evidence reference moves the player to the line it cites.
    evidence = page.locator(".evidence a[data-lines]").first
    cited = page.locator(f"#line-{await evidence.get_attribute('data-lines')}")
    cited_ms = int(await cited.get_attribute("data-start") or "0")
    await evidence.click()
    await page.wait_for_function(
        "ms => Math.abs(document.getElementById('player').currentTime - ms / 1000) < 0.5",
        arg=cited_ms,
        timeout=10_000,
    )
    assert page.errors == []
