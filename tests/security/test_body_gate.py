"""The body gate (limits.BodyGate) reads a request's body before the application sees it: what
it replays must be exactly what was sent, however it was framed, and a request without
credentials gets a small limit, since its body is now read before anyone is authenticated."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from persona_insight.limits import ANONYMOUS_MAX_BYTES
from tests.support import client, make_project, make_user

pytestmark = pytest.mark.anyio


async def test_a_large_body_without_credentials_is_refused_unread(app: Any) -> None:
    async with client(app) as c:
        r = await c.post("/api/auth/login", content=b"{" + b" " * ANONYMOUS_MAX_BYTES + b"}")
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "file_too_large"
    async with client(app) as c:
        r = await c.post("/api/auth/login", json={"email": "a@b.test", "password": "x" * 10})
    assert r.status_code == 401, r.text


@pytest.mark.parametrize("chunked", [False, True])
async def test_spooled_and_chunked_bodies_reach_the_route_intact(app: Any, chunked: bool) -> None:
    member = await make_user(app.api.state.runtime.db, email="kim@acme.test")
    project = await make_project(app, member)
    line = "Q: 요금제는 어떠세요?\nA: 조금 비싸요.\n".encode()
    data = line * (3_000_000 // len(line))  # spooled to disk past 1 MB
    boundary = b"gate"
    head = (
        b'--gate\r\nContent-Disposition: form-data; name="project_id"\r\n\r\n'
        + project["id"].encode()
        + b'\r\n--gate\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n'
        b"Content-Type: text/plain\r\n\r\n"
    )
    tail = b"\r\n--gate--\r\n"

    async def pieces() -> AsyncIterator[bytes]:
        yield head
        for start in range(0, len(data), 100_000):
            yield data[start : start + 100_000]
        yield tail

    body: Any = pieces() if chunked else head + data + tail
    async with client(app, member) as c:
        r = await c.post(
            "/api/workflow/async",
            content=body,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary.decode()}"},
        )
        assert r.status_code == 202, r.text
        download = await c.get(f"/api/interviews/{r.json()['interview_id']}/file")
    assert download.content == data
