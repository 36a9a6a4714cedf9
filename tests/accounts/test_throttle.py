"""Guessing throttles (issue 10): the sign-in throttle holds under parallel requests (item 7),
is kept per account and per address with back-off without locking the right password out
(item 8), and project join passwords are throttled too (item 10)."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import httpx
import pytest

from persona_insight.accounts import throttle
from tests.support import Member, client, make_project, make_user

pytestmark = pytest.mark.anyio

PASSWORD = "correct horse battery"


def _from(app: Any, address: str, member: Member | None = None) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=(address, 40000)),
        base_url="http://testserver",
        headers=member.headers if member else None,
    )


async def _login(c: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await c.post("/api/auth/login", json={"email": email, "password": password})


async def test_parallel_wrong_passwords_get_at_most_the_limit_of_401s(app: Any) -> None:
    await make_user(app.api.state.runtime.db, email="kim@acme.test")
    async with _from(app, "203.0.113.7") as c:
        answers = await asyncio.gather(
            *(_login(c, "kim@acme.test", f"guess-{i}") for i in range(25))
        )
        codes = [r.status_code for r in answers]
        assert codes.count(401) <= throttle.PAIR.limit, codes
        assert codes.count(401) + codes.count(429) == 25, codes
        limited = next(r for r in answers if r.status_code == 429)
        assert limited.json()["error"]["code"] == "too_many_attempts"
        assert int(limited.headers["retry-after"]) >= 1


async def test_one_address_spraying_accounts_does_not_lock_out_who_signed_in_there(
    app: Any,
) -> None:
    """Behind a proxy every user shares one address: 30 failures there on other accounts used to
    give the real admin 429 for 15 minutes."""
    db = app.api.state.runtime.db
    await make_user(db, email="admin@acme.test", role="company_admin")
    proxy = "198.51.100.1"
    async with _from(app, proxy) as c:
        assert (await _login(c, "admin@acme.test", PASSWORD)).status_code == 200
    async with _from(app, proxy) as c:
        for i in range(throttle.ADDRESS.limit):
            assert (await _login(c, f"victim{i}@acme.test", "nope")).status_code == 401
        # The address is now held back for accounts that never signed in from it …
        r = await _login(c, "someone-new@acme.test", "nope")
        assert r.status_code == 429
        # … but not for the admin, who did.
        assert (await _login(c, "admin@acme.test", PASSWORD)).status_code == 200


async def test_many_addresses_on_one_account_hold_the_real_user_back_briefly_at_most(
    app: Any,
) -> None:
    db = app.api.state.runtime.db
    await make_user(db, email="kim@acme.test")
    async with _from(app, "192.0.2.10") as c:
        assert (await _login(c, "kim@acme.test", PASSWORD)).status_code == 200
    for i in range(throttle.ACCOUNT.limit + 5):
        async with _from(app, f"203.0.113.{i + 1}") as c:
            assert (await _login(c, "kim@acme.test", "guess")).status_code in (401, 429)
    # From where she signed in before: at once.
    async with _from(app, "192.0.2.10") as c:
        assert (await _login(c, "kim@acme.test", PASSWORD)).status_code == 200
    # From a new place: at most a short wait, never the 15-minute lock.
    async with _from(app, "192.0.2.99") as c:
        r = await _login(c, "kim@acme.test", PASSWORD)
        if r.status_code == 429:
            assert int(r.headers["retry-after"]) <= throttle.ACCOUNT.max_wait.total_seconds()
        else:
            assert r.status_code == 200


def test_the_wait_doubles_and_is_capped() -> None:
    now = dt.datetime(2026, 12, 3, tzinfo=dt.UTC)
    pair = throttle.PAIR
    assert throttle.wait_for(pair, pair.limit - 1, now, now) == 0
    assert throttle.wait_for(pair, pair.limit, now, now) == 30
    assert throttle.wait_for(pair, pair.limit + 1, now, now) == 60
    assert throttle.wait_for(pair, pair.limit + 30, now, now) == 15 * 60
    assert throttle.wait_for(pair, pair.limit, now - dt.timedelta(seconds=31), now) == 0
    account = throttle.ACCOUNT
    assert throttle.wait_for(account, account.limit + 30, now, now) == 60


async def test_project_join_passwords_are_throttled_per_user_and_project(app: Any) -> None:
    db = app.api.state.runtime.db
    owner = await make_user(db, email="owner@acme.test")
    guesser = await make_user(db, email="guesser@acme.test")
    colleague = await make_user(db, email="colleague@acme.test")
    async with client(app, owner) as c:
        r = await c.post(
            "/api/projects",
            json={
                "name": "short",
                "visibility": "public",
                "join_method": "password",
                "password": "1234567",
            },
        )
        assert r.status_code == 422  # new passwords need 8 characters
    project = await make_project(
        app, owner, "Locked", visibility="public", join_method="password", password="open sesame"
    )
    url = f"/api/projects/{project['id']}/join"
    async with client(app, guesser) as c:
        answers = await asyncio.gather(
            *(c.post(url, json={"password": f"guess-{i}"}) for i in range(25))
        )
        codes = [r.status_code for r in answers]
        assert codes.count(403) <= throttle.JOIN.limit, codes
        assert codes.count(403) + codes.count(429) == 25, [
            r.text for r in answers if r.status_code not in (403, 429)
        ]
        # Even the right password waits now: the guesses cannot continue.
        r = await c.post(url, json={"password": "open sesame"})
        assert r.status_code == 429
        assert r.json()["error"]["code"] == "too_many_attempts"
        assert int(r.headers["retry-after"]) > 0
    # Someone else is not held back by that.
    async with client(app, colleague) as c:
        r = await c.post(url, json={"password": "open sesame"})
        assert r.status_code == 200, r.text
