"""Helpers shared by tests: users, tokens and API clients against a running app."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from persona_insight.accounts import service as accounts
from persona_insight.db import Actor, Database


@dataclass
class Member:
    user_id: UUID
    company_id: UUID
    email: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def make_user(
    db: Database,
    *,
    email: str,
    company: str = "Acme",
    role: str = "company_user",
    password: str = "correct horse battery",  # noqa: S107
) -> Member:
    # Test set-up acts as the database's owner (the operator), not as the application.
    owner = Database(db.owner_url, pool_size=1, app_role=False)
    try:
        return await _make_user(owner, email, company, role, password)
    finally:
        await owner.dispose()


async def _make_user(db: Database, email: str, company: str, role: str, password: str) -> Member:
    async with db.unit_of_work(Actor.system()) as session:
        comp = await accounts.ensure_company(session, company, domains=[email.rsplit("@", 1)[1]])
        user = await accounts.create_user(
            session,
            email=email,
            password=password,
            name=email.split("@")[0],
            company=comp,
            role=role,
        )
        _, secret = await accounts.create_token(session, user, "test")
        return Member(user_id=user.id, company_id=comp.id, email=email, token=secret)


def client(app: Any, member: Member | None = None) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://testserver",
        headers=member.headers if member else None,
    )


async def make_project(
    app: Any, member: Member, name: str = "Research", **fields: Any
) -> dict[str, Any]:
    async with client(app, member) as c:
        r = await c.post("/api/projects", json={"name": name, **fields})
        assert r.status_code == 201, r.text
        body: dict[str, Any] = r.json()
        return body


async def add_member(db: Database, project_id: str, member: Member, role: str = "member") -> None:
    from persona_insight.models import ProjectMember

    owner = Database(db.owner_url, pool_size=1, app_role=False)
    try:
        async with owner.unit_of_work(Actor.system()) as session:
            session.add(
                ProjectMember(
                    project_id=UUID(project_id),
                    user_id=member.user_id,
                    company_id=member.company_id,
                    role=role,
                )
            )
    finally:
        await owner.dispose()


def api_operations(app: Any) -> list[tuple[str, str]]:
    """Every (METHOD, path template) the OpenAPI schema documents."""
    schema = app.api.openapi()
    return [
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    ]


async def wait_for_status(
    app: Any, member: Member, interview_id: str, statuses: set[str], timeout: float = 60.0
) -> dict[str, Any]:
    """Poll until the interview reaches one of `statuses`; fail with its last state otherwise."""
    import asyncio

    deadline = asyncio.get_running_loop().time() + timeout
    body: dict[str, Any] = {}
    async with client(app, member) as c:
        while asyncio.get_running_loop().time() < deadline:
            r = await c.get(f"/api/interviews/{interview_id}")
            assert r.status_code == 200, r.text
            body = r.json()
            if body["status"] in statuses:
                return body
            await asyncio.sleep(0.1)
    raise AssertionError(f"interview stayed {body.get('status')}: {body.get('error')}")


def http(base_url: str, member: Member | None = None) -> httpx.AsyncClient:
    """A client of a real server (a live test server, another process)."""
    return httpx.AsyncClient(
        base_url=base_url, headers=member.headers if member else None, timeout=30
    )


async def take(stream: Any, n: int, timeout: float = 10.0) -> list[Any]:
    """The next `n` data messages of an SseClient (ignores nothing; raises on timeout)."""
    import asyncio

    out: list[Any] = []

    async def collect() -> None:
        async for message in stream.messages():
            out.append(message)
            if len(out) >= n:
                return

    await asyncio.wait_for(collect(), timeout)
    return out


@asynccontextmanager
async def as_owner(url: str) -> AsyncIterator[AsyncSession]:
    """A transaction as the database's owner: for set-up and for checking stored state
    without row-level security in the way."""
    owner = Database(url, pool_size=1, app_role=False)
    try:
        async with owner.unit_of_work(Actor.system()) as session:
            yield session
    finally:
        await owner.dispose()


def start_worker(settings: Any, log: Any) -> subprocess.Popen[bytes]:
    """A `persona-insight worker` process on the test's database, quick to notice a dead peer
    (heartbeat 0.5 s, stalled after 3 s), for tests that kill workers."""
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "PERSONA_INSIGHT_DATA_DIR": str(settings.data_dir),
        "PERSONA_INSIGHT_SPEECH_MODEL_DIR": str(settings.speech_model_dir),
        "PERSONA_INSIGHT_WORKER_HEARTBEAT_S": "0.5",
        "PERSONA_INSIGHT_WORKER_STALLED_AFTER_S": "3",
        "PERSONA_INSIGHT_RECONCILE_INTERVAL_S": "0.5",
        "PERSONA_INSIGHT_LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "persona_insight", "worker", "--concurrency", "1"],
        env=env,
        stdout=log,
        stderr=log,
    )


def stop_worker(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL if a graceful stop takes over 20 s (a loaded machine), and wait."""
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
