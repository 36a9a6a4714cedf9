"""Bad uploads get a clear 4xx with a machine-readable code, and leave nothing behind."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from tests.support import as_owner, client, make_project, make_user

pytestmark = pytest.mark.anyio


async def _counts(app: Any) -> tuple[int, int]:
    async with as_owner(app.api.state.runtime.db.owner_url) as s:
        interviews = (await s.execute(text("SELECT count(*) FROM interviews"))).scalar_one()
        jobs = (await s.execute(text("SELECT count(*) FROM procrastinate_jobs"))).scalar_one()
    return interviews, jobs


@pytest.mark.parametrize(
    ("filename", "content", "status", "code"),
    [
        ("notes.exe", b"MZ\x90\x00", 415, "unsupported_file_type"),
        ("empty.txt", b"", 422, "empty_content"),
        ("blank.txt", b"   \n\t  \n", 422, "empty_content"),
        ("fake.docx", b"this is not a zip", 422, "malformed_file"),
        ("fake.pdf", b"hello", 422, "malformed_file"),
        ("broken.json", b'{"a": ', 422, "malformed_file"),
    ],
)
async def test_rejected_file(
    app: Any, filename: str, content: bytes, status: int, code: str
) -> None:
    member = await make_user(app.api.state.runtime.db, email="kim@acme.test")
    project = await make_project(app, member)
    before = await _counts(app)
    async with client(app, member) as c:
        r = await c.post(
            "/api/workflow/async",
            data={"project_id": project["id"]},
            files={"file": (filename, content, "application/octet-stream")},
        )
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code
    assert await _counts(app) == before


async def test_too_large_is_413_before_reading_it_all(app: Any) -> None:
    settings = app.api.state.runtime.settings
    member = await make_user(app.api.state.runtime.db, email="kim@acme.test")
    project = await make_project(app, member)
    big = b"a" * (settings.max_upload_bytes + 100_000)
    async with client(app, member) as c:
        r = await c.post(
            "/api/workflow/async",
            data={"project_id": project["id"]},
            files={"file": ("big.txt", big, "text/plain")},
        )
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "file_too_large"


async def test_json_body_errors(app: Any) -> None:
    member = await make_user(app.api.state.runtime.db, email="kim@acme.test")
    project = await make_project(app, member)
    async with client(app, member) as c:
        r = await c.post("/api/workflow/async", json={"project_id": project["id"], "text": " "})
        assert r.status_code == 422
        assert r.json()["error"]["code"] == "empty_content"
        r = await c.post("/api/workflow/async", json={"project_id": project["id"], "txt": "hi"})
        assert r.status_code == 422
        assert r.json()["error"]["code"] == "validation_error"
        r = await c.post(
            "/api/workflow/async", content=b"text", headers={"content-type": "text/plain"}
        )
        assert r.status_code == 415
        r = await c.post(
            "/api/workflow/async",
            json={"project_id": "0190a0a0-0000-7000-8000-000000000000", "text": "Q: hi\nA: hello"},
        )
        assert r.status_code == 404
        assert r.json()["error"]["code"] == "project_not_found"
        r = await c.post(
            "/api/workflow/async",
            data={"project_id": "nope"},
            files={"file": ("a.txt", b"hello", "text/plain")},
        )
        assert r.status_code == 422
        assert r.json()["error"]["code"] == "invalid_project_id"
        r = await c.post("/api/workflow/async", data={"project_id": project["id"]})
        assert r.status_code == 422
        assert r.json()["error"]["code"] == "file_required"
    assert await _counts(app) == (0, 0)


async def test_patch_rejects_unknown_fields_and_bad_values(app: Any) -> None:
    member = await make_user(app.api.state.runtime.db, email="kim@acme.test")
    project = await make_project(app, member)
    async with client(app, member) as c:
        r = await c.post(
            "/api/workflow/async", json={"project_id": project["id"], "text": "Q: hi?\nA: hello"}
        )
        iid = r.json()["interview_id"]
        r = await c.patch(f"/api/interviews/{iid}", json={"status": "completed"})
        assert r.status_code == 422
        r = await c.patch(f"/api/interviews/{iid}", json={"title": ""})
        assert r.status_code == 422
        r = await c.patch(f"/api/interviews/{iid}", json={"interview_date": "yesterday"})
        assert r.status_code == 422
        r = await c.patch(
            f"/api/interviews/{iid}",
            json={"title": "<script>alert(1)</script>", "interview_date": "2026-01-02"},
        )
        assert r.status_code == 200
        assert r.json()["title"] == "<script>alert(1)</script>"
        r = await c.get("/api/interviews/not-a-uuid")
        assert r.status_code == 422
        r = await c.get("/api/interviews/0190a0a0-0000-7000-8000-000000000000")
        assert r.status_code == 404
        assert r.json()["error"]["code"] == "interview_not_found"


@pytest.mark.parametrize(
    ("title", "code"),
    [("회의\u0000록", "invalid_value"), ("가" * 301, "title_too_long")],
)
async def test_a_refused_title_leaves_no_file_behind(app: Any, title: str, code: str) -> None:
    """The form's title is held to what the JSON body allows, before the file is stored: a
    NUL used to be refused only by the insert, after the original had been written to the
    store with nothing referring to it; a long one was cut to 300 characters in silence."""
    import hashlib

    member = await make_user(app.api.state.runtime.db, email="kim@acme.test")
    project = await make_project(app, member)
    content = f"Q: 어디서 충전하세요?\nA: 회사에서요. ({code})".encode()
    before = await _counts(app)
    async with client(app, member) as c:
        r = await c.post(
            "/api/workflow/async",
            data={"project_id": project["id"], "title": title},
            files={"file": ("interview.txt", content, "text/plain")},
        )
    assert (r.status_code, r.json()["error"]["code"]) == (422, code), r.text
    assert await _counts(app) == before
    files = app.api.state.runtime.files
    assert not files.exists(hashlib.sha256(content).hexdigest())
