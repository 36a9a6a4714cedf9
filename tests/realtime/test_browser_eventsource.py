"""The real client: a browser's EventSource connects, receives, and resumes with Last-Event-ID
after the server drops it — no duplicate, no gap."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from persona_insight.db import Actor, Database
from tests.browser import browser
from tests.live import start_live
from tests.support import http, make_user

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

LISTEN = """(url) => {
  window.got = []; window.opens = 0;
  const source = new EventSource(url);
  source.onopen = () => { window.opens += 1; };
  source.onmessage = (e) => window.got.push({id: e.lastEventId, ...JSON.parse(e.data)});
  window.source = source;
}"""


async def _add_interview_directly(settings: Any, owner: Any, project_id: str) -> None:
    from uuid import UUID

    from persona_insight.accounts.repository import Authenticated
    from persona_insight.interviews import service
    from persona_insight.projects.service import require_access

    db = Database(settings.database_url, pool_size=1)
    user = Authenticated(
        user_id=owner.user_id,
        company_id=owner.company_id,
        role="company_user",
        email=owner.email,
        name="owner",
        locale=None,
        session_id=None,
        token_id=None,
        csrf_token=None,
        last_seen_at=None,
    )
    try:
        async with db.unit_of_work(Actor(owner.company_id, owner.user_id, "company_user")) as s:
            access = await require_access(s, user, UUID(project_id))
            await service.create(
                s, user, access, title="offline", text="Q: x?\nA: y", interview_date=None, file=None
            )
    finally:
        await db.dispose()


async def test_eventsource_receives_and_resumes(settings: Any) -> None:
    live, sock = start_live(settings)
    port = int(live.url.rsplit(":", 1)[1])
    db = Database(settings.database_url, pool_size=2)
    owner = await make_user(db, email="owner@acme.test", password="correct horse battery")
    await db.dispose()
    try:
        async with http(live.url, owner) as api:
            project_id = (await api.post("/api/projects", json={"name": "Browser"})).json()["id"]
            async with browser() as b:
                context = await b.new_context()
                page = await context.new_page()
                await page.goto(f"{live.url}/healthz")
                login = await page.request.post(
                    f"{live.url}/api/auth/login",
                    data={"email": "owner@acme.test", "password": "correct horse battery"},
                )
                assert login.ok
                await page.evaluate(LISTEN, f"/api/sse/projects/{project_id}")
                await page.wait_for_function("window.opens === 1")
                for n in range(2):
                    await api.post(
                        "/api/workflow/async",
                        json={"project_id": project_id, "text": f"Q: {n}?\nA: ok"},
                    )
                await page.wait_for_function(
                    "window.got.filter(m => m.type === 'interview:added').length === 2"
                )

                # The server goes away (graceful restart); the browser reconnects by itself.
                await asyncio.to_thread(live.stop)
                sock.close()
                # Committed while no server runs: the browser must get it by replay.
                await _add_interview_directly(settings, owner, project_id)
                live, sock = start_live(settings, port=port)
                for n in range(3, 5):
                    await api.post(
                        "/api/workflow/async",
                        json={"project_id": project_id, "text": f"Q: {n}?\nA: ok"},
                    )
                await page.wait_for_function(
                    "window.got.filter(m => m.type === 'interview:added').length === 5",
                    timeout=20_000,
                )
                got = await page.evaluate("window.got")
                seqs = [m["seq"] for m in got if m["type"] == "interview:added"]
                assert seqs == [1, 2, 3, 4, 5]
                assert [m["id"] for m in got if m["type"] == "interview:added"] == [
                    "1",
                    "2",
                    "3",
                    "4",
                    "5",
                ]
                assert await page.evaluate("window.opens") >= 2
                await context.close()
    finally:
        live.stop()
        sock.close()
