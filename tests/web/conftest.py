"""Page tests without a browser: a cookie-keeping client that signs in through the sign-in page
and posts the pages' forms the way a browser without JavaScript would."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import httpx
import pytest

from persona_insight.db import Actor
from tests.notes.conftest import analysed_interview
from tests.support import Member, add_member, make_project, make_user

PASSWORD = "correct horse battery"


def csrf_of(html: str) -> str:
    found = re.search(r'<meta name="csrf-token" content="([^"]*)">', html)
    assert found, "the page has no CSRF token"
    return found.group(1)


@dataclass
class Browser:
    """A client with a cookie jar, speaking like a browser with JavaScript turned off."""

    http: httpx.AsyncClient
    csrf: str = ""

    async def __aenter__(self) -> Browser:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.http.aclose()

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        response = await self.http.get(url, **kwargs)
        if response.headers.get("content-type", "").startswith("text/html"):
            token = re.search(r'<meta name="csrf-token" content="([^"]*)">', response.text)
            if token and token.group(1):
                self.csrf = token.group(1)
        return response

    async def post(
        self, url: str, data: dict[str, Any] | None = None, **kwargs: Any
    ) -> httpx.Response:
        return await self.http.post(url, data={"csrf_token": self.csrf, **(data or {})}, **kwargs)


async def sign_in(app: Any, email: str, language: str = "ko") -> Browser:
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://testserver",
        headers={"Accept-Language": language},
    )
    form = await client.get("/login")
    token = re.search(r'name="login_token" value="([^"]+)"', form.text)
    assert token, form.text
    r = await client.post(
        "/login",
        data={
            "email": email,
            "password": PASSWORD,
            "login_token": token.group(1),
            "next": "/projects",
        },
    )
    assert r.status_code == 303, r.text
    browser = Browser(client)
    await browser.get("/projects")
    return browser


@dataclass
class Setting:
    owner: Member
    member: Member
    project_id: str
    interview_id: str


@pytest.fixture
async def setting(app: Any) -> Setting:
    """An owner and a member of a project with one analysed interview."""
    db = app.api.state.runtime.db
    owner = await make_user(db, email="owner@acme.test")
    member = await make_user(db, email="member@acme.test")
    project = await make_project(app, owner, description="충전 경험", purpose="불편을 이해한다")
    await add_member(db, project["id"], member)
    interview_id = await analysed_interview(app, owner, project["id"])
    return Setting(owner, member, project["id"], interview_id)


@pytest.fixture
async def owner_browser(app: Any, setting: Setting) -> AsyncIterator[Browser]:
    browser = await sign_in(app, setting.owner.email)
    yield browser
    await browser.http.aclose()


def system_in(member: Member) -> Actor:
    """The system acting within the member's company (for checks of stored state)."""
    return Actor(company_id=member.company_id, role="system")


def as_uuid(value: str) -> UUID:
    return UUID(value)
