"""Upload file names with control characters (issue 10, item 9): stored clean, always
downloadable; a NUL answers like any other odd name instead of 500."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from persona_insight.files.names import clean_filename
from persona_insight.interviews.routes import content_disposition
from tests.support import as_owner, client, make_project, make_user

pytestmark = pytest.mark.anyio


def multipart(project_id: str, filename: str, content: bytes) -> tuple[bytes, dict[str, str]]:
    """A multipart body with the name's raw bytes: httpx (like browsers) percent-encodes
    control characters, a hand-written client need not."""
    boundary = "pi-boundary-7f3a"
    body = (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="project_id"\r\n\r\n'
            f"{project_id}\r\n"
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: text/plain\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


NAMES = [
    ("a\x01b.txt", "ab.txt"),
    ("\x1b[31mred\x1b[0m.txt", "[31mred[0m.txt"),
    ("del\x7f.txt", "del.txt"),
    ("nul\x00.txt", "nul.txt"),
    ("tab\tand.txt", "taband.txt"),
    ("c1\x85\x9b.txt", "c1.txt"),
    ("\u202eabc.txt", "abc.txt"),
    ("인터뷰 2024.txt", "인터뷰 2024.txt"),
]


@pytest.mark.parametrize(("sent", "stored"), NAMES)
async def test_control_characters_are_stripped_and_the_file_downloads(
    app: Any, sent: str, stored: str
) -> None:
    member = await make_user(app.api.state.runtime.db, email="kim@acme.test")
    project = await make_project(app, member)
    async with client(app, member) as c:
        body, headers = multipart(project["id"], sent, b"Q: hello?\nA: hi")
        r = await c.post("/api/workflow/async", content=body, headers=headers)
        assert r.status_code == 202, r.text
        interview = r.json()["interview"]
        assert interview["file"]["name"] == stored
        download = await c.get(f"/api/interviews/{interview['id']}/file")
    assert download.status_code == 200
    assert download.content == b"Q: hello?\nA: hi"


async def test_names_stored_before_the_fix_still_download(app: Any) -> None:
    member = await make_user(app.api.state.runtime.db, email="kim@acme.test")
    project = await make_project(app, member)
    async with client(app, member) as c:
        r = await c.post(
            "/api/workflow/async",
            data={"project_id": project["id"]},
            files={"file": ("old.txt", b"Q: a?\nA: b", "text/plain")},
        )
        interview_id = r.json()["interview_id"]
        async with as_owner(app.api.state.runtime.db.owner_url) as s:
            await s.execute(
                text("UPDATE interviews SET file_name = :n WHERE id = :i"),
                {"n": "bad\x01\x1b\x7f\u0085name.txt", "i": interview_id},
            )
            await s.commit()
        download = await c.get(f"/api/interviews/{interview_id}/file")
    assert download.status_code == 200, download.text
    assert "badname.txt" in download.headers["content-disposition"]


def test_content_disposition_is_a_valid_header_for_any_name() -> None:
    for name in ["a\x01b", "\x00", "\r\nSet-Cookie: x=1", "\ud800lone", "", "인터뷰.txt"]:
        value = content_disposition(name)
        assert value.isascii()
        assert all(0x20 <= ord(ch) < 0x7F for ch in value), repr(value)


def test_clean_filename() -> None:
    assert clean_filename("\x00\x01") == "upload"
    assert clean_filename("  spaced.txt  ") == "spaced.txt"
    assert clean_filename("\ud800x.txt") == "?x.txt"
    assert len(clean_filename("a" * 1000 + ".txt")) <= 255
