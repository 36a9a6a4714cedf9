"""The procrastinate application.

Tasks register on the module-level `queue` at import time (see `import_paths`). It is never
opened itself: deferring always runs on the caller's own connection (inside its transaction).
Each runtime opens a synchronised copy with its own connection pool (`opened`), which the worker
and the reconciler use; procrastinate does not let one app be re-opened on a new pool.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import procrastinate

from persona_insight.db import as_app_role

TASK_MODULES = [
    "persona_insight.interviews.tasks",
    "persona_insight.personas.tasks",
    "persona_insight.media.tasks",
    "persona_insight.search.tasks",
    "persona_insight.insights.tasks",
    "persona_insight.insights.report.tasks",
]

# One job, deferred by a SQL expression inside a larger statement (the upload path writes the
# interview, its event and its job in one round trip). This is the call procrastinate's own
# `defer_jobs` query makes (procrastinate/sql/queries.sql), pinned with procrastinate < 4; the
# workflow tests fail if a new version changes it.
DEFER_ONE = (
    "procrastinate_defer_jobs_v1(ARRAY[ROW(:job_queue, :job_task, 0, :job_lock, NULL,"
    " CAST(:job_args AS jsonb), NULL)::procrastinate_job_to_defer_v1])"
)

queue = procrastinate.App(connector=procrastinate.PsycopgConnector(), import_paths=TASK_MODULES)


@contextlib.asynccontextmanager
async def opened(url: str, *, concurrency: int) -> AsyncIterator[procrastinate.App]:
    """The queue opened on a pool big enough for `concurrency` jobs plus its own listeners."""
    app = queue.with_connector(
        procrastinate.PsycopgConnector(
            conninfo=as_app_role(url), min_size=1, max_size=concurrency + 4
        )
    )
    async with app.open_async():
        yield app
