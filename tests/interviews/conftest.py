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

    task = asyncio.create_task(run_worker(app.api.state.runtime.db, settings, concurrency=2))
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
