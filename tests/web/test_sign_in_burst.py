"""A burst of page sign-ins cannot take the database pool: the page gives its connection back
before the sign-in opens its own transactions (before, each request held one connection while
waiting for another, and a burst larger than the pool waited on itself until 503)."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx
import pytest

from tests.support import make_user

pytestmark = [pytest.mark.anyio, pytest.mark.slow]


@pytest.fixture
async def small_pool_app(settings: Any) -> Any:
    from persona_insight.app import create_app

    application = create_app(
        settings.model_copy(update={"db_pool_size": 2, "db_pool_timeout_s": 10})
    )
    async with application.lifespan():
        yield application


async def _attempt(app: Any, n: int) -> int:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=(f"198.51.100.{n + 1}", 4000)),
        base_url="http://testserver",
    ) as c:
        form = await c.get("/login")
        token = re.search(r'name="login_token" value="([^"]+)"', form.text)
        assert token
        r = await c.post(
            "/login",
            data={"email": "kim@acme.test", "password": f"guess {n}", "login_token": token[1]},
        )
        return r.status_code


async def test_a_burst_of_page_sign_ins_does_not_exhaust_the_pool(small_pool_app: Any) -> None:
    await make_user(small_pool_app.api.state.runtime.db, email="kim@acme.test")
    codes = await asyncio.gather(*(_attempt(small_pool_app, n) for n in range(12)))
    assert set(codes) <= {401, 429}, codes
