"""A company admin exports a project's data, then erases it: no row of the project is left in
any table, its files are gone unless another interview uses the same bytes, and other projects
and companies are untouched. Another company's ids are 404."""

from __future__ import annotations

import hashlib
import io
import json
import uuid
import zipfile
from typing import Any

import pytest
from sqlalchemy import text

from tests.lifecycle.test_retention import complete, count, setup_admin, trash, upload
from tests.support import add_member, as_owner, client, make_project, make_user

pytestmark = pytest.mark.anyio


async def rows_of_project(app: Any, project_id: uuid.UUID) -> dict[str, int]:
    """Rows naming the project in every table that has a project_id column, plus the project."""
    found: dict[str, int] = {}
    async with as_owner(app.api.state.runtime.db.owner_url) as s:
        tables = (
            await s.execute(
                text(
                    "SELECT table_name FROM information_schema.columns"
                    " WHERE table_schema = 'public' AND column_name = 'project_id'"
                )
            )
        ).scalars()
        for table in list(tables):
            n = (
                await s.execute(
                    text(f'SELECT count(*) FROM "{table}" WHERE project_id = :p'),  # noqa: S608
                    {"p": project_id},
                )
            ).scalar_one()
            if n:
                found[table] = int(n)
        n = (
            await s.execute(text("SELECT count(*) FROM projects WHERE id = :p"), {"p": project_id})
        ).scalar_one()
        if n:
            found["projects"] = int(n)
        # Rows that reach the project only through its interviews.
        for table in ("interview_analyses", "interview_terms"):
            n = (
                await s.execute(
                    text(
                        f"SELECT count(*) FROM {table} t JOIN interviews i"  # noqa: S608
                        " ON i.id = t.interview_id WHERE i.project_id = :p"
                    ),
                    {"p": project_id},
                )
            ).scalar_one()
            if n:
                found[table] = int(n)
    return found


async def test_export_then_erase_leaves_nothing_behind(app: Any) -> None:
    rt = app.api.state.runtime
    admin, project = await setup_admin(app, "admin@acme.test", "Acme")
    member = await make_user(rt.db, email="member@acme.test", company="Acme")
    await add_member(rt.db, project, member)
    other_project = str((await make_project(app, admin, name="Keep"))["id"])
    beta, beta_project = await setup_admin(app, "admin@beta.test", "Beta")
    shared = "Interviewer: 어떠세요?\nCustomer: 느려요.\n".encode() * 20
    own = b"Interviewer: How is it?\nCustomer: Too slow to export.\n" * 20
    trashed = b"Interviewer: And?\nCustomer: Nothing.\n" * 20
    async with client(app, admin) as c, client(app, beta) as b:
        first = await upload(c, project, own, "인터뷰 1.txt")
        second = await upload(c, project, shared, "shared.txt")
        third = await upload(c, project, trashed, "trashed.txt")
        kept_here = await upload(c, other_project, shared, "same.txt")
        kept_beta = await upload(b, beta_project, shared, "beta.txt")
        await complete(app, admin, first)
        r = await c.post(
            f"/api/interviews/{first}/notes", json={"text": "고객 메모", "line_ids": [2]}
        )
        assert r.status_code == 201, r.text
        await trash(c, third)

        # Another company's admin, and a member of the project, get nothing.
        assert (await b.get(f"/api/projects/{project}/export")).status_code == 404
        r = await b.post(f"/api/projects/{project}/erase", json={"project_name": "Research"})
        assert r.status_code == 404
        assert r.json()["error"]["code"] == "project_not_found"
        async with client(app, member) as m:
            assert (await m.get(f"/api/projects/{project}/export")).status_code == 403
            r = await m.post(f"/api/projects/{project}/erase", json={"project_name": "Research"})
            assert r.status_code == 403
        assert (await c.get(f"/api/projects/{uuid.uuid4()}/export")).status_code == 404

        r = await c.get(f"/api/projects/{project}/export")
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == "application/zip"
        archive = zipfile.ZipFile(io.BytesIO(r.content))
        names = set(archive.namelist())
        meta = json.loads(archive.read("project.json"))
        assert meta["name"] == "Research"
        assert {m["email"] for m in meta["members"]} >= {"member@acme.test"}
        for iid, content, name in (
            (first, own, "인터뷰 1.txt"),
            (second, shared, "shared.txt"),
            (third, trashed, "trashed.txt"),
        ):
            assert archive.read(f"interviews/{iid}/original/{name}") == content
            assert f"interviews/{iid}/interview.json" in names
        assert json.loads(archive.read(f"interviews/{first}/analysis.json"))["result"]["language"]
        notes = json.loads(archive.read(f"interviews/{first}/notes.json"))
        assert [n["text"] for n in notes] == ["고객 메모"]

        # The erasure wants the name typed again; bad bodies change nothing.
        for body in ({"project_name": "research"}, {}, {"project_name": 5}, {"x": 1}):
            r = await c.post(f"/api/projects/{project}/erase", json=body)
            assert r.status_code == 422, r.text
        assert await rows_of_project(app, uuid.UUID(project))

        r = await c.post(f"/api/projects/{project}/erase", json={"project_name": "Research"})
        assert r.status_code == 204, r.text
        assert (await c.get(f"/api/projects/{project}")).status_code == 404
        r = await c.post(f"/api/projects/{project}/erase", json={"project_name": "Research"})
        assert r.status_code == 404

    assert await rows_of_project(app, uuid.UUID(project)) == {}
    assert not rt.files.exists(hashlib.sha256(own).hexdigest())
    assert not rt.files.exists(hashlib.sha256(trashed).hexdigest())
    assert rt.files.exists(hashlib.sha256(shared).hexdigest())  # still used elsewhere
    for kept in (kept_here, kept_beta):
        assert await count(app, "SELECT count(*) FROM interviews WHERE id = :i", i=uuid.UUID(kept))
    assert (
        await count(
            app,
            "SELECT count(*) FROM audit_log WHERE action = 'project_erased' AND target_id = :p",
            p=project,
        )
        == 1
    )
    # Nothing of the erased project's content survives in any event anywhere.
    assert (
        await count(app, "SELECT count(*) FROM events WHERE payload::text LIKE '%고객 메모%'") == 0
    )


async def test_a_deleted_project_can_still_be_erased(app: Any) -> None:
    rt = app.api.state.runtime
    admin, project = await setup_admin(app, "admin@acme.test", "Acme")
    content = b"Interviewer: hi\nCustomer: gone soon\n" * 10
    async with client(app, admin) as c:
        await upload(c, project, content, "a.txt")
        assert (await c.delete(f"/api/projects/{project}")).status_code == 204
        assert (await c.get(f"/api/projects/{project}/export")).status_code == 200
        r = await c.post(f"/api/projects/{project}/erase", json={"project_name": "Research"})
        assert r.status_code == 204, r.text
    assert await rows_of_project(app, uuid.UUID(project)) == {}
    assert not rt.files.exists(hashlib.sha256(content).hexdigest())


async def test_insight_jobs_queued_before_an_erasure_end_quietly(app: Any) -> None:
    """A recomputation or summary queued for the project runs after it was erased: it used to
    fail on the state row's foreign key (a job in error for nothing); now it finds nothing to do
    and writes nothing."""
    from persona_insight.insights import tasks

    admin, project = await setup_admin(app, "admin@acme.test", "Acme")
    async with client(app, admin) as c:
        r = await c.post(f"/api/projects/{project}/erase", json={"project_name": "Research"})
        assert r.status_code == 204, r.text
    db = app.api.state.runtime.db
    assert await tasks.run_recompute(db, uuid.UUID(project), admin.company_id) is False
    assert await tasks.run_recompute(db, uuid.UUID(project), admin.company_id, full=True) is False
    assert await rows_of_project(app, uuid.UUID(project)) == {}
