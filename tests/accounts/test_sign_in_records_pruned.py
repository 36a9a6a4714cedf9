"""The worker prunes the sign-in throttle's records by itself (issue 17): failed sign-ins past
their window and known (account, address) pairs past theirs go; recent ones stay."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest
from sqlalchemy import text

from persona_insight.jobs.worker import run_worker
from tests.support import as_owner

pytestmark = pytest.mark.anyio

KEYS = ("old-failure", "new-failure", "old-known", "new-known")


async def _left(url: str) -> set[str]:
    async with as_owner(url) as session:
        rows = await session.execute(
            text("SELECT key FROM login_failures UNION ALL SELECT key FROM login_known")
        )
        return {r[0] for r in rows} & set(KEYS)


async def test_the_worker_prunes_old_sign_in_records(app: Any, settings: Any) -> None:
    rt = app.api.state.runtime
    async with as_owner(settings.database_url) as session:
        await session.execute(
            text(
                "INSERT INTO login_failures (key, at) VALUES"
                " ('old-failure', now() - interval '2 days'), ('new-failure', now())"
            )
        )
        await session.execute(
            text(
                "INSERT INTO login_known (key, at) VALUES"
                " ('old-known', now() - interval '91 days'), ('new-known', now())"
            )
        )
    assert await _left(settings.database_url) == set(KEYS)
    task = asyncio.create_task(run_worker(rt.jobs, rt.db, settings, concurrency=1))
    try:
        for _ in range(100):  # bounded: 10 s
            if await _left(settings.database_url) == {"new-failure", "new-known"}:
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError(f"left: {await _left(settings.database_url)}")
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
