"""Trashed interviews past their company's retention are purged for good by the worker's job,
with their notes, analysis and events' texts; their file only when no other interview uses the
same bytes; other companies' trash untouched. Time is moved by backdating `deleted_at`."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from persona_insight.analysis.engine import EngineResult
from persona_insight.db import Actor
from persona_insight.interviews import retention
from persona_insight.interviews import service as interviews
from persona_insight.jobs.worker import run_worker
from tests.notes.conftest import analysis
from tests.support import Member, as_owner, client, make_project, make_user

pytestmark = pytest.mark.anyio


async def upload(c: httpx.AsyncClient, project_id: str, content: bytes, name: str) -> str:
    r = await c.post(
        "/api/workflow/async",
        data={"project_id": project_id},
        files={"file": (name, content, "text/plain")},
    )
    assert r.status_code == 202, r.text
    return str(r.json()["interview_id"])


async def complete(app: Any, member: Member, interview_id: str) -> None:
    """As the analysis job does (no engine run needed): so it has an analysis and terms."""
    db = app.api.state.runtime.db
    async with db.unit_of_work(Actor(company_id=member.company_id, role="system")) as session:
        assert await interviews.begin_analysis(session, uuid.UUID(interview_id)) is not None
        result = EngineResult(analysis=analysis(), engine="test")
        assert await interviews.complete(session, uuid.UUID(interview_id), result, 5)


async def trash(c: httpx.AsyncClient, interview_id: str) -> None:
    r = await c.delete(f"/api/interviews/{interview_id}")
    assert r.status_code == 200, r.text


async def backdate(app: Any, interview_id: str, days: float) -> None:
    async with as_owner(app.api.state.runtime.db.owner_url) as s:
        await s.execute(
            text(
                "UPDATE interviews SET deleted_at = now() - make_interval(secs => :s) WHERE id = :i"
            ),
            {"s": days * 86400, "i": uuid.UUID(interview_id)},
        )


async def count(app: Any, sql: str, **params: Any) -> int:
    async with as_owner(app.api.state.runtime.db.owner_url) as s:
        return int((await s.execute(text(sql), params)).scalar_one())


async def setup_admin(app: Any, email: str, company: str) -> tuple[Member, str]:
    admin = await make_user(
        app.api.state.runtime.db, email=email, company=company, role="company_admin"
    )
    project = await make_project(app, admin)
    return admin, str(project["id"])


async def test_expired_trash_is_purged_with_everything_it_had(app: Any, settings: Any) -> None:
    rt = app.api.state.runtime
    admin, project = await setup_admin(app, "admin@acme.test", "Acme")
    other, other_project = await setup_admin(app, "admin@beta.test", "Beta")
    shared = "Interviewer: 어떠세요?\nCustomer: 느려요.\n".encode() * 20
    only = b"Interviewer: How is it?\nCustomer: Too slow to export.\n" * 20
    async with client(app, admin) as c, client(app, other) as o:
        old_shared = await upload(c, project, shared, "shared.txt")
        old_only = await upload(c, project, only, "only.txt")
        recent = await upload(c, project, only + b"x", "recent.txt")
        keeps_shared = await upload(o, other_project, shared, "same-bytes.txt")
        other_old = await upload(o, other_project, b"Beta\n" * 50, "beta.txt")
        await complete(app, admin, old_only)
        r = await c.post(
            f"/api/interviews/{old_only}/notes", json={"text": "고객 메모", "line_ids": [2]}
        )
        assert r.status_code == 201, r.text
        for i in (old_shared, old_only, recent):
            await trash(c, i)
        await trash(o, other_old)
    # Beta keeps its trash for 90 days; Acme has the default 30.
    async with as_owner(rt.db.owner_url) as s:
        await s.execute(
            text("UPDATE companies SET trash_retention_days = 90 WHERE id = :c"),
            {"c": other.company_id},
        )
    await backdate(app, old_shared, 31)
    await backdate(app, old_only, 31)
    await backdate(app, recent, 29)
    await backdate(app, other_old, 31)

    purged = await retention.purge_expired(rt.db, rt.files, settings)

    assert purged == 2
    gone = {uuid.UUID(old_shared), uuid.UUID(old_only)}
    for table, column in [
        ("interviews", "id"),
        ("interview_analyses", "interview_id"),
        ("interview_terms", "interview_id"),
        ("notes", "interview_id"),
    ]:
        assert (
            await count(
                app,
                f"SELECT count(*) FROM {table} WHERE {column} = ANY(:ids)",  # noqa: S608
                ids=list(gone),
            )
            == 0
        ), table
    for kept in (recent, keeps_shared, other_old):
        assert (
            await count(app, "SELECT count(*) FROM interviews WHERE id = :i", i=uuid.UUID(kept))
            == 1
        )
    # The file another company's interview uses stays; the one only the purged used goes.
    assert rt.files.exists(hashlib.sha256(shared).hexdigest())
    assert not rt.files.exists(hashlib.sha256(only).hexdigest())
    # One `interview:purged` event and one audit entry each; no event keeps the title.
    for i in gone:
        assert (
            await count(
                app,
                "SELECT count(*) FROM events WHERE type = 'interview:purged'"
                " AND strpos(payload::text, :i) > 0",
                i=str(i),
            )
            == 1
        )
        assert (
            await count(
                app,
                "SELECT count(*) FROM audit_log WHERE action = 'interview_purged'"
                " AND target_id = :i AND details->>'reason' = 'retention' AND actor_id IS NULL",
                i=str(i),
            )
            == 1
        )
    assert (
        await count(
            app,
            "SELECT count(*) FROM events WHERE payload::text LIKE '%only.txt%'"
            " OR payload::text LIKE '%shared.txt%' OR payload::text LIKE '%고객 메모%'",
        )
        == 0
    )
    # A second pass finds nothing more.
    assert await retention.purge_expired(rt.db, rt.files, settings) == 0


async def test_an_interview_restored_is_not_purged(app: Any, settings: Any) -> None:
    rt = app.api.state.runtime
    admin, project = await setup_admin(app, "admin@acme.test", "Acme")
    async with client(app, admin) as c:
        iid = await upload(c, project, b"Interviewer: hi\nCustomer: hello\n" * 5, "a.txt")
        await trash(c, iid)
        await backdate(app, iid, 40)
        r = await c.post(f"/api/interviews/{iid}/restore")
        assert r.status_code == 200, r.text
    assert await retention.purge_expired(rt.db, rt.files, settings) == 0
    assert await count(app, "SELECT count(*) FROM interviews WHERE id = :i", i=uuid.UUID(iid)) == 1


async def test_the_worker_purges_expired_trash_by_itself(app: Any, settings: Any) -> None:
    """The reconciler loop runs the purge (at start, then every trash_purge_every_s)."""
    rt = app.api.state.runtime
    admin, project = await setup_admin(app, "admin@acme.test", "Acme")
    async with client(app, admin) as c:
        iid = await upload(c, project, b"Interviewer: hi\nCustomer: bye\n" * 5, "w.txt")
        await trash(c, iid)
    await backdate(app, iid, 31)
    fast = settings.model_copy(update={"trash_purge_every_s": 0.2})
    task = asyncio.create_task(run_worker(rt.jobs, rt.db, fast, concurrency=1))
    try:
        for _ in range(100):  # bounded: 10 s
            if not await count(
                app, "SELECT count(*) FROM interviews WHERE id = :i", i=uuid.UUID(iid)
            ):
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError("the worker did not purge the expired interview")
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
