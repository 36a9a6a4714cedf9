"""A worker killed with SIGKILL mid-analysis leaves nothing stuck: the interview still completes."""

from __future__ import annotations

import asyncio
import signal
from typing import Any

import pytest

from tests.interviews.samples import ENGLISH
from tests.support import (
    client,
    make_project,
    make_user,
    start_worker,
    stop_worker,
    wait_for_status,
)

pytestmark = [pytest.mark.anyio, pytest.mark.slow]


def _long_transcript(turns: int) -> str:
    lines = []
    for i in range(turns):
        for line in ENGLISH[1:-1]:
            lines.append(line.replace("slots", f"slots #{i}").replace("app", f"app v{i % 17}"))
    return "\n".join(lines)


async def test_killed_worker_leaves_nothing_stuck(app: Any, settings: Any) -> None:
    db = app.api.state.runtime.db
    member = await make_user(db, email="kim@acme.test")
    project = await make_project(app, member)
    async with client(app, member) as c:
        r = await c.post(
            "/api/workflow/async", json={"project_id": project["id"], "text": _long_transcript(250)}
        )
        assert r.status_code == 202, r.text
    interview_id = r.json()["interview_id"]

    log = (settings.data_dir.parent / "workers.log").open("ab")
    first = start_worker(settings, log)
    try:
        await wait_for_status(app, member, interview_id, {"analyzing", "completed"}, timeout=60)
        await asyncio.sleep(0.3)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    async with client(app, member) as c:
        status = (await c.get(f"/api/interviews/{interview_id}")).json()["status"]
    assert status == "analyzing", "the worker should have died mid-analysis"

    second = start_worker(settings, log)
    try:
        detail = await wait_for_status(
            app, member, interview_id, {"completed", "failed"}, timeout=120
        )
    finally:
        stop_worker(second)
        log.close()
    assert detail["status"] == "completed", detail["error"]
    assert detail["attempts"] == 1
