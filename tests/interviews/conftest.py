"""A job worker running inside the test's event loop, for tests that need analyses to finish."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest


@pytest.fixture
async def worker(app: Any, settings: Any) -> AsyncIterator[None]:
    from persona_insight.jobs.worker import run_worker

    rt = app.api.state.runtime
    task = asyncio.create_task(run_worker(rt.jobs, rt.db, settings, concurrency=2))
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
