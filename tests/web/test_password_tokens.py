"""The profile's password form revokes the API tokens unless "keep my API tokens" is ticked
(issue 10, item 15), the same as `POST /api/me/password`."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import client, make_user
from tests.web.conftest import PASSWORD, sign_in

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("keep", [False, True])
async def test_the_password_form_revokes_tokens_unless_kept(app: Any, keep: bool) -> None:
    mina = await make_user(app.api.state.runtime.db, email="mina@acme.test")
    async with await sign_in(app, mina.email) as browser:
        page = await browser.get("/profile")
        assert 'name="keep_api_tokens"' in page.text
        fields = {
            "current_password": PASSWORD,
            "new_password": "new password 1",
            "confirm_password": "new password 1",
        }
        r = await browser.post(
            "/profile/password", data=fields | ({"keep_api_tokens": "yes"} if keep else {})
        )
        assert r.headers["location"] == "/profile?notice=password_changed#password"
    async with client(app, mina) as c:
        assert (await c.get("/api/me")).status_code == (200 if keep else 401)
