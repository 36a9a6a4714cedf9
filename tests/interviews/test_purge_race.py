"""Purging an interview never deletes a stored file that uploads of the same bytes still use
(issue 10, item 4). Before, with 8 uploads of the same content in flight during a purge, 56 of
120 new interviews lost their original (`file_not_found`): the purge's "still used?" check ran
before those uploads committed, and its deletion after the purge committed.

The store is shared across companies, so the purge here happens in another company than the
uploads. To hit the window every round rather than by luck, the uploads are held just before
their commit (the test holds their project's event counter row, which every upload's commit
takes), with the stored file already found present; the purge runs, and then they commit.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
import uuid
from typing import Any

import httpx
import psycopg
import pytest

from persona_insight.db import Database
from persona_insight.files.store import FileStore
from tests.support import Member, make_user

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

ROUNDS = 4
IN_FLIGHT = 8


async def _upload(c: httpx.AsyncClient, project_id: str, content: bytes) -> str:
    r = await c.post(
        "/api/workflow/async",
        data={"project_id": project_id},
        files={"file": ("same.txt", content, "text/plain")},
    )
    assert r.status_code == 202, r.text
    return str(r.json()["interview_id"])


async def _purge(c: httpx.AsyncClient, interview_id: str) -> None:
    r = await c.delete(f"/api/interviews/{interview_id}")
    assert r.status_code == 200, r.text
    r = await c.delete(f"/api/interviews/{interview_id}/permanent")
    assert r.status_code == 204, r.text


async def _held_at_commit(owner: psycopg.AsyncConnection[Any], want: int) -> int:
    """How many uploads wait for their commit, once `want` do or a few seconds passed (the
    uploads' extraction may queue for the sandbox's slots); fails if none does."""
    deadline = time.monotonic() + 5
    while True:
        cur = await owner.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        row = await cur.fetchone()
        assert row is not None
        held = int(row[0])
        if held >= want or (held and time.monotonic() > deadline):
            return held
        assert time.monotonic() < deadline + 25, "no upload reached its commit"
        await asyncio.sleep(0.05)


async def test_purge_against_uploads_of_the_same_content(live_server: Any, settings: Any) -> None:
    db = Database(settings.database_url, pool_size=1)
    try:
        # Several people, each with a client of their own: uploads at once, as in real use.
        uploaders: list[Member] = [
            await make_user(db, email=f"admin{i}@acme.test", role="company_admin")
            for i in range(IN_FLIGHT)
        ]
        purger: Member = await make_user(
            db, email="admin@beta.test", company="Beta", role="company_admin"
        )
    finally:
        await db.dispose()
    run = uuid.uuid4()
    store = FileStore(settings.data_dir / "files")
    limits = httpx.Limits(max_connections=IN_FLIGHT + 2)

    def client(member: Member) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=live_server.url, headers=member.headers, timeout=60, limits=limits
        )

    async def _upload_as(member: Member, project_id: str, data: bytes) -> str:
        async with client(member) as c:
            return await _upload(c, project_id, data)

    async with (
        client(uploaders[0]) as up,
        client(purger) as down,
        await psycopg.AsyncConnection.connect(db.owner_url, autocommit=True) as owner,
        asyncio.timeout(300),
    ):
        projects = []
        for c in (up, down):
            r = await c.post("/api/projects", json={"name": "Race"})
            assert r.status_code == 201, r.text
            projects.append(r.json()["id"])
        target, elsewhere = projects
        kept: list[tuple[str, bytes]] = []
        held: list[int] = []
        contents = []
        for round_ in range(ROUNDS):
            # New bytes each round: the previous rounds' interviews must not keep the file.
            content = f"Q: 같은 파일인가요?\nA: 네, 같은 파일입니다. {run} {round_}\n".encode()
            contents.append(content)
            victim = await _upload(down, elsewhere, content)
            r = await down.delete(f"/api/interviews/{victim}")
            assert r.status_code == 200, r.text
            async with owner.transaction():
                await owner.execute(
                    "SELECT 1 FROM project_event_counters WHERE project_id = %s FOR UPDATE",
                    (target,),
                )
                uploads = [
                    asyncio.create_task(_upload_as(member, target, content)) for member in uploaders
                ]
                held.append(await _held_at_commit(owner, IN_FLIGHT))
                # Uploads have found the file and wait to commit their reference: purge the only
                # committed user of the file.
                r = await down.delete(f"/api/interviews/{victim}/permanent")
                assert r.status_code == 204, r.text
                await asyncio.sleep(0.5)  # the deletion runs after the answer
            kept += [(i, content) for i in await asyncio.gather(*uploads)]
        await asyncio.sleep(0.5)

        lost = []
        for interview_id, content in kept:
            r = await up.get(f"/api/interviews/{interview_id}/file")
            if r.status_code != 200 or r.content != content:
                lost.append((interview_id, r.status_code, r.text[:80]))
        assert not lost, (
            f"{len(lost)} of {len(kept)} interviews lost their original"
            f" ({held} uploads held at their commit per round): {lost[:3]}"
        )

        # Once nothing uses it, the file does go.
        for interview_id, _ in kept:
            await _purge(up, interview_id)
        shas = [hashlib.sha256(content).hexdigest() for content in contents]
        for _ in range(50):
            if not any(store.exists(sha) for sha in shas):
                break
            await asyncio.sleep(0.1)
        assert not any(store.exists(sha) for sha in shas), "an unused file was kept"
