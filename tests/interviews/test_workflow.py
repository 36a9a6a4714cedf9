"""The seed's workflow through the API: upload → 202 at once → background analysis → completed."""

from __future__ import annotations

from typing import Any

import pytest

from tests.interviews.samples import ENGLISH, KOREAN, docx_bytes
from tests.support import client, make_project, make_user, wait_for_status

pytestmark = pytest.mark.anyio


def _evidence_ok(detail: dict[str, Any]) -> None:
    result = detail["analysis"]["result"]
    ids = {i for line in result["cleaned_script"] for i in line["id"]}
    findings = result["primary_pain_points"] + result["primary_needs"]
    assert result["primary_pain_points"], "expected pain points"
    for finding in findings:
        assert finding["evidence"], finding
        assert set(finding["evidence"]) <= ids


async def test_korean_cp949_text_file_completes(app: Any, worker: None) -> None:
    db = app.api.state.runtime.db
    member = await make_user(db, email="kim@acme.test")
    project = await make_project(app, member)
    async with client(app, member) as c:
        r = await c.post(
            "/api/workflow/async",
            data={"project_id": project["id"]},
            files={"file": ("충전 인터뷰.txt", KOREAN.encode("cp949"), "text/plain")},
        )
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["interview"]["status"] == "processing"
    assert body["interview"]["file"]["encoding"] in ("cp949", "euc-kr", "euc_kr")
    detail = await wait_for_status(app, member, body["interview_id"], {"completed", "failed"})
    assert detail["status"] == "completed", detail["error"]
    assert "충전기가 두 대밖에" in detail["text"]
    _evidence_ok(detail)
    assert detail["language"] == "ko"


async def test_english_docx_completes_and_file_downloads(app: Any, worker: None) -> None:
    db = app.api.state.runtime.db
    member = await make_user(db, email="lee@acme.test")
    project = await make_project(app, member)
    data = docx_bytes(ENGLISH)
    async with client(app, member) as c:
        r = await c.post(
            "/api/workflow/async",
            data={"project_id": project["id"], "title": "Grocery — Sam"},
            files={"file": ("sam.docx", data, "application/octet-stream")},
        )
        assert r.status_code == 202, r.text
        interview_id = r.json()["interview_id"]
        detail = await wait_for_status(app, member, interview_id, {"completed", "failed"})
        assert detail["status"] == "completed", detail["error"]
        assert detail["title"] == "Grocery — Sam"
        _evidence_ok(detail)
        f = await c.get(f"/api/interviews/{interview_id}/file")
        assert f.status_code == 200
        assert f.content == data
        assert f.headers["content-disposition"].startswith("attachment")


async def test_pasted_text_answers_at_once_then_completes(app: Any, worker: None) -> None:
    db = app.api.state.runtime.db
    member = await make_user(db, email="park@acme.test")
    project = await make_project(app, member)
    async with client(app, member) as c:
        r = await c.post(
            "/api/workflow/async", json={"project_id": project["id"], "text": "\n".join(ENGLISH)}
        )
        assert r.status_code == 202, r.text
        assert r.json()["interview"]["title"].startswith("Interviewer: Thanks")
        listing = await c.get(f"/api/projects/{project['id']}/interviews")
        assert [i["id"] for i in listing.json()["items"]] == [r.json()["interview_id"]]
    detail = await wait_for_status(app, member, r.json()["interview_id"], {"completed"})
    assert detail["analysis"]["engine"] == "offline"
    assert detail["engine"] == "offline"
