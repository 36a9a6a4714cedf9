"""Browser tests: a real server (with its job worker, so analyses finish) and Debian's chromium.

Each test gets its own database and server; users sign in through the API from inside their
browser context (the sign-in page itself is tested once, in test_pages.py), so the session
cookie is the browser's own.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from persona_insight.db import Database
from tests.live import LiveServer, start_live
from tests.support import Member, add_member, http, make_user

ARTIFACTS = Path(__file__).parent / "artifacts"
SAMPLES = Path(__file__).resolve().parents[2] / "src" / "persona_insight" / "demo" / "samples"
PASSWORD = "correct horse battery"
WAIT_MS = 15_000
ANALYSIS_MS = 120_000  # the first analysis of a process loads the language models


@pytest.fixture
def live(worker_settings: Any) -> Iterator[LiveServer]:
    server, sock = start_live(worker_settings)
    yield server
    if server.thread.is_alive():
        server.stop()
    sock.close()


@pytest.fixture
def worker_settings(settings: Any) -> Any:
    return settings.model_copy(update={"run_worker_in_process": True, "worker_concurrency": 2})


@dataclass
class Team:
    url: str
    owner: Member
    member: Member
    project_id: str


@pytest.fixture
async def team(live: LiveServer, worker_settings: Any) -> Team:
    db = Database(worker_settings.database_url, pool_size=2)
    try:
        owner = await make_user(db, email="minji@acme.test", password=PASSWORD)
        member = await make_user(db, email="joon@acme.test", password=PASSWORD)
        async with http(live.url, owner) as api:
            r = await api.post(
                "/api/projects",
                json={
                    "name": "전기차 충전 경험 조사",
                    "description": "아파트 거주 전기차 운전자의 충전 습관과 불편",
                    "purpose": "충전 대기와 결제의 불편을 이해한다",
                    "target_audience": "수도권 아파트 거주 전기차 운전자",
                },
            )
            assert r.status_code == 201, r.text
            project_id = r.json()["id"]
        await add_member(db, project_id, member)
    finally:
        await db.dispose()
    return Team(url=live.url, owner=owner, member=member, project_id=project_id)


@pytest.fixture
async def chromium() -> AsyncIterator[Any]:
    from tests.browser import browser

    async with browser() as b:
        yield b


async def company_admin(team: Team, settings: Any) -> Member:
    """boss@acme.test: a company admin, and an admin of the team's project."""
    db = Database(settings.database_url, pool_size=1)
    try:
        boss = await make_user(db, email="boss@acme.test", role="company_admin")
        await add_member(db, team.project_id, boss, role="admin")
    finally:
        await db.dispose()
    return boss


async def signed_in(browser: Any, url: str, member: Member, locale: str = "ko-KR") -> Any:
    """A browser context signed in as `member`, its pages in `locale`, 1280 px wide."""
    context = await browser.new_context(
        base_url=url, locale=locale, viewport={"width": 1280, "height": 860}
    )
    context.set_default_timeout(WAIT_MS)
    response = await context.request.post(
        "/api/auth/login", data={"email": member.email, "password": PASSWORD}
    )
    assert response.ok, await response.text()
    return context


async def open_page(context: Any, path: str) -> Any:
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: errors.append(msg.text) if msg.type == "error" else None,
    )
    page.errors = errors
    await page.goto(path)
    return page


async def live_on(page: Any) -> None:
    await page.wait_for_selector('#conn[data-state="live"]', timeout=WAIT_MS)


def sample(name: str) -> tuple[str, str]:
    return name, (SAMPLES / name).read_text(encoding="utf-8")


async def drop_files(page: Any, files: list[tuple[str, str]]) -> None:
    """Drop files on the workspace's drop zone, as a drag from the desktop does."""
    transfer = await page.evaluate_handle(
        """(files) => {
            const dt = new DataTransfer();
            for (const [name, text] of files) {
                dt.items.add(new File([text], name, {type: "text/plain"}));
            }
            return dt;
        }""",
        files,
    )
    await page.dispatch_event("#dropzone", "dragenter", {"dataTransfer": transfer})
    await page.dispatch_event("#dropzone", "drop", {"dataTransfer": transfer})


async def rows(page: Any, list_id: str = "interviews") -> dict[str, str]:
    """id → status of the rows the page shows."""
    found: dict[str, str] = await page.evaluate(
        """(id) => Object.fromEntries([...document.querySelectorAll(`#${id} > li[data-id]`)]
            .map((row) => [row.dataset.id, row.dataset.status]))""",
        list_id,
    )
    return found


async def screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # From the top, so sticky parts (the settings' section list) sit where a reader sees them.
    await page.evaluate("() => window.scrollTo(0, 0)")
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


async def settle(seconds: float = 0.3) -> None:
    await asyncio.sleep(seconds)


async def until_completed(api: Any, interview_id: str) -> None:
    """Wait (bounded by ANALYSIS_MS) until the interview's analysis has completed."""
    import asyncio

    deadline = asyncio.get_running_loop().time() + ANALYSIS_MS / 1000
    while True:
        status = (await api.get(f"/api/interviews/{interview_id}")).json()["status"]
        if status == "completed":
            return
        assert status != "failed"
        assert asyncio.get_running_loop().time() < deadline, status
        await asyncio.sleep(0.5)


async def upload_sample(api: Any, project_id: str, name: str = "ko_ev_charging.txt") -> str:
    """Upload a demo sample transcript to the project as a file; its interview id."""
    name, text = sample(name)
    r = await api.post(
        "/api/workflow/async",
        files={"file": (name, text.encode(), "text/plain")},
        data={"project_id": project_id},
    )
    assert r.status_code == 202, r.text
    interview_id: str = r.json()["interview_id"]
    return interview_id
