"""Large reports are made by a job: 202 with the job, one job per project and format at a time,
progress and ready events in the project's outbox, the file behind an audited download link."""

from __future__ import annotations

import io
from typing import Any
from uuid import UUID

import pytest
from pypdf import PdfReader
from sqlalchemy import text as sql

from persona_insight.insights.report import jobs
from tests.insights.report_support import analysed
from tests.support import as_owner, client, make_project, make_user

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

KO = {"Accept-Language": "ko"}


@pytest.fixture
def settings(settings: Any) -> Any:
    # Every project is "large": its reports come from the job.
    return settings.model_copy(update={"report_background_above": 0})


async def test_a_large_report_is_a_job(app: Any) -> None:
    db = app.api.state.runtime.db
    owner = await make_user(db, email="owner@acme.test")
    stranger = await make_user(db, email="eve@other.test", company="Other")
    project = await make_project(app, owner, name="충전 연구")
    await analysed(app, owner, project["id"])
    url = f"/api/projects/{project['id']}/report"
    async with client(app, owner) as c:
        first = await c.get(url, params={"format": "pdf"}, headers=KO)
        again = await c.get(url, params={"format": "pdf"}, headers=KO)
        other = await c.get(url, params={"format": "docx"}, headers=KO)
        bad = await c.get(url, params={"format": "xlsx"})
    assert first.status_code == 202, first.text
    job = first.json()["job"]
    assert first.headers["location"] == f"/api/reports/{job['id']}"
    assert (job["status"], job["progress"], job["download_url"]) == ("queued", 0, None)
    # While it waits, asking again gives the same job; another format is another job.
    assert again.json()["job"]["id"] == job["id"]
    assert other.json()["job"]["id"] != job["id"]
    assert bad.status_code == 422

    async with client(app, owner) as c:
        early = await c.get(f"/api/reports/{job['id']}/file")
    assert early.status_code == 409
    assert early.json()["error"]["code"] == "report_not_ready"

    await jobs.run(db, UUID(job["id"]), owner.company_id)  # as the worker runs it
    async with client(app, owner) as c:
        done = (await c.get(f"/api/reports/{job['id']}")).json()
        file = await c.get(done["download_url"])
    assert done["status"] == "done"
    assert done["progress"] == 100
    assert done["file_name"] == "충전 연구 – 보고서.pdf"
    assert file.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(file.content)).pages)
    assert "인터뷰 목록" in text  # in the language of the one who asked

    async with client(app, stranger) as c:
        for path in (f"/api/reports/{job['id']}", f"/api/reports/{job['id']}/file"):
            r = await c.get(path)
            assert r.status_code == 404
            assert r.json()["error"]["code"] == "report_not_found"
        r = await c.get(url, params={"format": "pdf", "background": "true"})
        assert r.status_code == 404

    async with as_owner(db.owner_url) as session:
        events = (
            await session.execute(
                sql(
                    "SELECT type, payload FROM events WHERE project_id = :p"
                    " AND type LIKE 'report:%' ORDER BY seq"
                ),
                {"p": project["id"]},
            )
        ).all()
        queued = (
            await session.execute(
                sql("SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'make_report'")
            )
        ).scalar_one()
        audited = (
            await session.execute(
                sql("SELECT details FROM audit_log WHERE action = 'export' ORDER BY id")
            )
        ).all()
    mine = [(t, p["status"], p["progress"]) for t, p in events if p["job_id"] == job["id"]]
    assert mine == [
        ("report:progress", "queued", 0),
        ("report:progress", "running", 40),
        ("report:ready", "done", 100),
    ]
    assert events[-1].payload["download_url"] == done["download_url"]
    assert queued == 2  # one per job: the repeated request deferred nothing
    assert [a.details["job_id"] for a in audited] == [job["id"]]


async def test_findings_in_the_background_and_a_new_job_after_the_last(app: Any) -> None:
    db = app.api.state.runtime.db
    owner = await make_user(db, email="owner@acme.test")
    project = await make_project(app, owner)
    await analysed(app, owner, project["id"])
    url = f"/api/projects/{project['id']}/findings"
    async with client(app, owner) as c:
        job = (await c.get(url, params={"format": "csv"})).json()["job"]
        await jobs.run(db, UUID(job["id"]), owner.company_id)
        await jobs.run(db, UUID(job["id"]), owner.company_id)  # a retried job does nothing
        file = await c.get(f"/api/reports/{job['id']}/file")
        later = (await c.get(url, params={"format": "csv"})).json()["job"]
    assert file.content.startswith(b"\xef\xbb\xbf")
    assert "충전 자리가 없다" in file.content.decode("utf-8-sig")
    assert later["id"] != job["id"]  # the last one is done: a new one


async def test_a_job_left_behind_frees_its_slot(app: Any) -> None:
    """A job whose worker died stays queued or running; after half an hour the next request
    marks it abandoned and starts a new one instead of answering it for ever."""
    db = app.api.state.runtime.db
    owner = await make_user(db, email="owner@acme.test")
    project = await make_project(app, owner)
    url = f"/api/projects/{project['id']}/report"
    async with client(app, owner) as c:
        ask = {"format": "md", "background": "true"}
        old = (await c.get(url, params=ask)).json()["job"]
        async with as_owner(db.owner_url) as session:
            await session.execute(
                sql(
                    "UPDATE report_jobs SET status = 'running',"
                    " created_at = now() - interval '31 minutes' WHERE id = :id"
                ),
                {"id": old["id"]},
            )
        new = (await c.get(url, params=ask)).json()["job"]
        left = (await c.get(f"/api/reports/{old['id']}")).json()
    assert new["id"] != old["id"]
    assert (left["status"], left["error"]) == ("failed", "abandoned")
