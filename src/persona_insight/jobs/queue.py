"""The procrastinate application: one per process, opened on a pool when the runtime starts.

Tasks register on it at import time (see `import_paths`); its connector has no connection
parameters of its own because the runtime hands it a pool built from our settings.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import procrastinate
from psycopg_pool import AsyncConnectionPool

TASK_MODULES = ["persona_insight.interviews.tasks"]

queue = procrastinate.App(connector=procrastinate.PsycopgConnector(), import_paths=TASK_MODULES)


@contextlib.asynccontextmanager
async def opened(url: str, *, concurrency: int) -> AsyncIterator[procrastinate.App]:
    """The queue opened on a pool big enough for `concurrency` jobs plus its own listeners."""
    pool: AsyncConnectionPool = AsyncConnectionPool(
        url, min_size=1, max_size=concurrency + 4, open=False
    )
    await pool.open()
    await queue.open_async(pool)
    try:
        yield queue
    finally:
        await queue.close_async()
        await pool.close()
