"""The new formats through the upload API: accepted as interviews, hostile ones refused with a
4xx and a code, and nothing half-written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from tests.support import as_owner, client, make_project, make_user

pytestmark = [pytest.mark.anyio, pytest.mark.slow]
FILES = Path(__file__).parent / "files"
BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]><l>&c;</l>'
)


async def _interviews(app: Any) -> int:
    async with as_owner(app.api.state.runtime.db.owner_url) as s:
        return int((await s.execute(text("SELECT count(*) FROM interviews"))).scalar_one())


async def test_hwp_upload_is_accepted(app: Any) -> None:
    member = await make_user(app.api.state.runtime.db, email="kim@acme.test")
    project = await make_project(app, member)
    async with client(app, member) as c:
        r = await c.post(
            "/api/workflow/async",
            data={"project_id": project["id"]},
            files={"file": ("삼강오륜.hwp", (FILES / "hwpjs-example.hwp").read_bytes(), "")},
        )
    assert r.status_code == 202, r.text
    assert await _interviews(app) == 1


@pytest.mark.parametrize(
    ("filename", "content", "status", "code"),
    [
        ("locked.hwp", (FILES / "hwpjs-password-12345.hwp").read_bytes(), 422, "malformed_file"),
        ("cut.hwp", (FILES / "hwpjs-example.hwp").read_bytes()[:3000], 422, "malformed_file"),
        ("notes.hwpx", b"PK\x03\x04 not really", 422, "malformed_file"),
        ("laughs.xml", BILLION_LAUGHS, 422, "malformed_file"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 3000, 422, "malformed_file"),
    ],
)
async def test_hostile_office_files_are_refused(
    app: Any, filename: str, content: bytes, status: int, code: str
) -> None:
    member = await make_user(app.api.state.runtime.db, email="kim@acme.test")
    project = await make_project(app, member)
    async with client(app, member) as c:
        r = await c.post(
            "/api/workflow/async",
            data={"project_id": project["id"]},
            files={"file": (filename, content, "application/octet-stream")},
        )
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code
    assert await _interviews(app) == 0
