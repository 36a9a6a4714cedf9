"""The profile page: name and language, avatar, password and API tokens — each form through the
API's own functions, each refusal shown."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from persona_insight.accounts.deps import SESSION_COOKIE
from tests.security.world import PNG
from tests.support import client, make_user
from tests.web.conftest import PASSWORD, Browser, sign_in

pytestmark = pytest.mark.anyio


@pytest.fixture
async def mina(app: Any) -> Browser:
    await make_user(app.api.state.runtime.db, email="mina@acme.test")
    return await sign_in(app, "mina@acme.test")


async def test_name_and_language(app: Any, mina: Browser) -> None:
    async with mina:
        page = await mina.get("/profile")
        assert page.status_code == 200
        assert "내 프로필" in page.text
        assert 'href="/profile" aria-current="page"' in page.text  # the top bar leads here
        mina.http.cookies.set("pi_locale", "ko")  # an older choice of the switcher
        r = await mina.post("/profile", data={"name": "  Mina Park ", "locale": "en"})
        assert r.headers["location"] == "/profile?notice=saved"
        assert 'pi_locale=""' in r.headers["set-cookie"]  # the profile's choice now counts
        mina.http.cookies.delete("pi_locale")
        page = await mina.get(r.headers["location"])
        assert '<html lang="en">' in page.text
        assert "Your changes were saved." in page.text
        top_bar_name = '<span class="me-name" translate="no" title="Mina Park">Mina Park</span>'
        assert top_bar_name in page.text
        me = (await mina.http.get("/api/me")).json()
        assert (me["name"], me["locale"]) == ("Mina Park", "en")

        r = await mina.post("/profile", data={"name": "", "locale": "ko"})
        assert r.status_code == 422
        assert "Enter your name (up to 200 characters)." in r.text
        r = await mina.post("/profile", data={"name": "Mina", "locale": "fr"})
        assert r.status_code == 422
        assert "Choose Korean or English." in r.text


async def _upload(browser: Browser, name: str, data: bytes, kind: str) -> httpx.Response:
    return await browser.http.post(
        "/profile/avatar", data={"csrf_token": browser.csrf}, files={"file": (name, data, kind)}
    )


async def test_avatar(app: Any, mina: Browser) -> None:
    async with mina:
        me = (await mina.http.get("/api/me")).json()
        r = await _upload(mina, "me.png", PNG, "image/png")
        assert r.headers["location"] == "/profile?notice=avatar_saved#avatar"
        page = await mina.get("/profile")
        # The top bar and the profile show it, at a URL that changes with the picture.
        found = re.findall(rf'src="(/api/users/{me["id"]}/avatar\?v=[0-9a-f]{{12}})"', page.text)
        assert len(found) == 2
        assert (await mina.http.get(found[0])).content == PNG
        assert "사진 삭제" in page.text

        for name, data, kind, code, message in (
            ("a.gif", b"GIF89a....", "image/gif", "unsupported_image", "JPEG, PNG, WebP 형식의"),
            ("cut.png", PNG[:30], "image/png", "malformed_image", "사진을 읽을 수 없습니다"),
            ("big.png", PNG + b"\0" * (5 * 1024 * 1024), "image/png", "avatar_too_large", "5MB"),
        ):
            r = await _upload(mina, name, data, kind)
            assert r.headers["location"] == f"/profile?problem={code}#avatar"
            assert message in (await mina.get(r.headers["location"])).text
        r = await mina.http.post(
            "/profile/avatar",
            data={"csrf_token": mina.csrf},
            files={"file": ("", b"", "application/octet-stream")},
        )
        assert r.headers["location"] == "/profile?problem=image_required#avatar"
        assert "올릴 이미지를 선택하세요." in (await mina.get(r.headers["location"])).text

        r = await mina.post("/profile/avatar/delete")
        assert r.headers["location"] == "/profile?notice=avatar_removed#avatar"
        page = await mina.get("/profile")
        assert "/avatar?v=" not in page.text
        assert (await mina.http.get("/api/me")).json()["has_avatar"] is False


async def test_password_change_keeps_this_browser_and_ends_the_others(
    app: Any, mina: Browser
) -> None:
    other = await sign_in(app, "mina@acme.test")
    async with mina, other:
        await mina.get("/profile")
        for fields, status, message in (
            (
                {"current_password": "nope", "new_password": "new password 1"},
                403,
                "비밀번호가 올바르지 않습니다.",
            ),
            ({"current_password": PASSWORD, "new_password": "short"}, 422, "8자 이상이어야"),
            (
                {"current_password": PASSWORD, "new_password": "new password 1", "again": "x"},
                422,
                "새 비밀번호 두 개가 서로 다릅니다.",
            ),
        ):
            again = fields.pop("again", fields["new_password"])
            r = await mina.post("/profile/password", data={**fields, "confirm_password": again})
            assert r.status_code == status, fields
            assert message in r.text
        r = await mina.post(
            "/profile/password",
            data={
                "current_password": PASSWORD,
                "new_password": "new password 1",
                "confirm_password": "new password 1",
            },
        )
        assert r.headers["location"] == "/profile?notice=password_changed#password"
        assert SESSION_COOKIE in r.cookies  # the new session of this browser
        page = await mina.get(r.headers["location"])
        assert page.status_code == 200
        assert "비밀번호를 변경했습니다." in page.text
        assert (await other.http.get("/projects")).status_code == 303  # signed out


async def test_api_tokens(app: Any, mina: Browser) -> None:
    async with mina:
        await mina.get("/profile")
        r = await mina.post("/profile/tokens", data={"token_name": "가져오기 스크립트"})
        assert r.status_code == 200
        assert r.headers["cache-control"] == "no-store"
        secret = re.search(r'id="new-token"[^>]*value="(pit_[^"]+)"', r.text)
        assert secret, r.text
        assert 'data-copy="new-token"' in r.text
        assert 'data-then="/profile#tokens"' in r.text
        token = secret.group(1)
        async with client(app) as api:
            headers = {"Authorization": f"Bearer {token}"}
            assert (await api.get("/api/me", headers=headers)).status_code == 200
            # Shown once: the page lists the token by its first characters only.
            page = await mina.get("/profile")
            assert token not in page.text
            assert f"{token[:10]}…" in page.text
            token_id = (await mina.http.get("/api/me/tokens")).json()["items"][0]["id"]
            r = await mina.post(f"/profile/tokens/{token_id}/revoke")
            assert r.headers["location"] == "/profile?notice=token_revoked#tokens"
            assert (await api.get("/api/me", headers=headers)).status_code == 401
        r = await mina.post(f"/profile/tokens/{token_id}/revoke")
        assert r.headers["location"] == "/profile?problem=token_not_found#tokens"
        assert "이미 폐기된 토큰입니다." in (await mina.get(r.headers["location"])).text
        r = await mina.post("/profile/tokens", data={"token_name": " "})
        assert r.status_code == 422
        assert "토큰 이름을 입력하세요." in r.text
