"""Sessions and tokens end when they should: logout, expiry, deactivation, password change,
revocation — at once, including open event streams."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import text

from persona_insight.realtime.client import SseClient
from tests.support import as_owner, client, http, make_user

pytestmark = pytest.mark.anyio
PASSWORD = "correct horse battery"


async def _login(c: Any, email: str, password: str = PASSWORD) -> str:
    r = await c.post("/api/auth/login", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    return str(r.json()["csrf_token"])


async def test_login_rotates_the_session(app: Any) -> None:
    await make_user(app.api.state.runtime.db, email="kim@acme.test")
    async with client(app) as c:
        await _login(c, "kim@acme.test")
        first = c.cookies["pi_session"]
        await _login(c, "kim@acme.test")
        assert c.cookies["pi_session"] != first
    async with client(app) as old:
        old.cookies.set("pi_session", first)
        assert (await old.get("/api/me")).status_code == 401


async def test_expired_session_is_refused(app: Any) -> None:
    await make_user(app.api.state.runtime.db, email="kim@acme.test")
    async with client(app) as c:
        await _login(c, "kim@acme.test")
        assert (await c.get("/api/me")).status_code == 200
        async with as_owner(app.api.state.runtime.db.owner_url) as s:
            await s.execute(text("UPDATE auth_sessions SET expires_at = now() - interval '1 s'"))
        r = await c.get("/api/me")
        assert r.status_code == 401


async def test_password_change_ends_other_sessions_and_keeps_this_one(app: Any) -> None:
    await make_user(app.api.state.runtime.db, email="kim@acme.test")
    async with client(app) as laptop, client(app) as phone:
        csrf = await _login(laptop, "kim@acme.test")
        await _login(phone, "kim@acme.test")
        r = await laptop.post(
            "/api/me/password",
            headers={"X-CSRF-Token": csrf},
            json={"current_password": "wrong", "new_password": "x" * 12},
        )
        assert r.status_code == 403
        assert r.json()["error"]["code"] == "wrong_password"
        r = await laptop.post(
            "/api/me/password",
            headers={"X-CSRF-Token": csrf},
            json={"current_password": PASSWORD, "new_password": "new secret!!"},
        )
        assert r.status_code == 200, r.text
        assert (await laptop.get("/api/me")).status_code == 200
        assert (await phone.get("/api/me")).status_code == 401
    async with client(app) as c:
        bad = await c.post("/api/auth/login", json={"email": "kim@acme.test", "password": PASSWORD})
        assert bad.status_code == 401
        await _login(c, "kim@acme.test", "new secret!!")


async def test_token_revocation_is_immediate(app: Any) -> None:
    member = await make_user(app.api.state.runtime.db, email="kim@acme.test")
    async with client(app, member) as c:
        r = await c.post("/api/me/tokens", json={"name": "ci"})
        assert r.status_code == 201
        created = r.json()
        assert created["token"].startswith("pit_")
        listed = (await c.get("/api/me/tokens")).json()["items"]
        assert created["id"] in {t["id"] for t in listed}
        assert all("token" not in t for t in listed)
    second = {"Authorization": f"Bearer {created['token']}"}
    async with client(app) as c:
        assert (await c.get("/api/me", headers=second)).status_code == 200
        r = await c.delete(f"/api/me/tokens/{created['id']}", headers=second)
        assert r.status_code == 204
        assert (await c.get("/api/me", headers=second)).status_code == 401
        # The first token still works.
        assert (await c.get("/api/me", headers=member.headers)).status_code == 200


async def test_deactivation_ends_sessions_tokens_and_streams(
    live_server: Any, settings: Any
) -> None:
    from persona_insight.db import Database

    db = Database(settings.database_url, pool_size=1)
    try:
        admin = await make_user(db, email="admin@acme.test", role="company_admin")
        kim = await make_user(db, email="kim@acme.test")
    finally:
        await db.dispose()
    async with http(live_server.url, kim) as c:
        project = (await c.post("/api/projects", json={"name": "P"})).json()
    stream = SseClient(f"{live_server.url}/api/sse/projects/{project['id']}", headers=kim.headers)
    assert (await stream.connect()).status == 200
    ended = asyncio.Event()

    async def follow() -> None:
        async for _ in stream.messages():
            pass
        ended.set()

    follower = asyncio.create_task(follow())
    async with http(live_server.url, admin) as c:
        r = await c.patch(f"/api/admin/users/{kim.user_id}", json={"is_active": False})
        assert r.status_code == 200, r.text
    await asyncio.wait_for(ended.wait(), 10)
    follower.cancel()
    await stream.close()
    async with http(live_server.url, kim) as c:
        assert (await c.get("/api/me")).status_code == 401
    again = SseClient(f"{live_server.url}/api/sse/projects/{project['id']}", headers=kim.headers)
    assert (await again.connect()).status == 404  # credentials that no longer hold


async def test_logout_closes_the_stream_of_that_session(live_server: Any, settings: Any) -> None:
    from persona_insight.db import Database

    db = Database(settings.database_url, pool_size=1)
    try:
        await make_user(db, email="kim@acme.test")
    finally:
        await db.dispose()
    async with http(live_server.url) as c:
        r = await c.post("/api/auth/login", json={"email": "kim@acme.test", "password": PASSWORD})
        csrf = r.json()["csrf_token"]
        cookie = c.cookies["pi_session"]
        project = (
            await c.post("/api/projects", json={"name": "P"}, headers={"X-CSRF-Token": csrf})
        ).json()
        stream = SseClient(
            f"{live_server.url}/api/sse/projects/{project['id']}",
            headers={"Cookie": f"pi_session={cookie}"},
        )
        assert (await stream.connect()).status == 200
        reader = asyncio.create_task(_drain(stream))
        await asyncio.sleep(0.2)
        assert (await c.post("/api/auth/logout", headers={"X-CSRF-Token": csrf})).status_code == 204
        await asyncio.wait_for(reader, 10)
        await stream.close()
        again = SseClient(
            f"{live_server.url}/api/sse/projects/{project['id']}",
            headers={"Cookie": f"pi_session={cookie}"},
        )
        assert (await again.connect()).status == 404


async def _drain(stream: SseClient) -> None:
    async for _ in stream.messages():
        pass


async def test_login_is_throttled_per_email(app: Any) -> None:
    await make_user(app.api.state.runtime.db, email="kim@acme.test")
    async with client(app) as c:
        for _ in range(5):
            r = await c.post("/api/auth/login", json={"email": "kim@acme.test", "password": "nope"})
            assert r.status_code == 401
        r = await c.post("/api/auth/login", json={"email": "kim@acme.test", "password": PASSWORD})
        assert r.status_code == 429
        assert r.json()["error"]["code"] == "too_many_attempts"
        assert int(r.headers["retry-after"]) > 0
        # Another account from the same address is not locked by this one's failures.
        other = await c.post("/api/auth/login", json={"email": "lee@acme.test", "password": "nope"})
        assert other.status_code == 401
    async with as_owner(app.api.state.runtime.db.owner_url) as s:
        actions = (await s.execute(text("SELECT action FROM audit_log ORDER BY id"))).scalars()
        assert list(actions).count("login_failed") == 6
