"""Sign-up proves the mailbox before the account joins its company (issue 10, item 5): a real SMTP
server receives the link, the test follows it."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from persona_insight.accounts.addresses import parse_email
from persona_insight.db import Database
from persona_insight.errors import InvalidInput
from tests.accounts.mailbox import Mailbox, mail_settings, smtp_server
from tests.support import client, make_user

pytestmark = pytest.mark.anyio

PASSWORD = "a-fine-password"


def _body(email: str) -> dict[str, str]:
    return {"email": email, "password": PASSWORD, "name": "새 사용자"}


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with smtp_server() as box:
        yield box


@pytest.fixture
async def mail_app(settings: Any, mailbox: Mailbox) -> AsyncIterator[Any]:
    from persona_insight.app import create_app

    application = create_app(mail_settings(settings, mailbox))
    async with application.lifespan():
        yield application


async def _login(c: Any, email: str, password: str = PASSWORD) -> Any:
    return await c.post("/api/auth/login", json={"email": email, "password": password})


async def test_a_new_account_signs_in_only_after_following_the_mailed_link(
    mail_app: Any, mailbox: Mailbox
) -> None:
    await make_user(mail_app.api.state.runtime.db, email="boss@acme.test", company="Acme")
    async with client(mail_app) as c:
        r = await c.post("/api/auth/signup", json=_body("Mallory@ACME.test"))
        assert r.status_code == 202, r.text
        assert r.json() == {"email": "mallory@acme.test", "verification_sent": True}
        assert "pi_session" not in r.headers.get("set-cookie", "")
        mailbox.wait(1)
        [first] = mailbox.tokens_to("mallory@acme.test")
        # Until the link is followed, the right password gives no session: nothing of Acme.
        r = await _login(c, "mallory@acme.test")
        assert r.status_code == 403
        assert r.json()["error"]["code"] == "email_unverified"
        assert "pi_session" not in r.headers.get("set-cookie", "")
        assert (await c.get("/api/company/glossary")).status_code == 401
        # ... and that sign-in mailed a new link, which replaces the first.
        mailbox.wait(2)
        old, new = mailbox.tokens_to("mallory@acme.test")
        assert old == first
        assert new != first
        r = await c.post("/api/auth/verify", json={"token": first})
        assert r.status_code == 410
        assert r.json()["error"]["code"] == "verification_invalid"
        # The link opens a page with a button; opening it verifies nothing.
        page = await c.get(f"/verify-email/{new}")
        assert page.status_code == 200
        assert f'action="/verify-email/{new}"' in page.text
        assert (await _login(c, "mallory@acme.test")).status_code == 403
        mailbox.wait(3)
        newest = mailbox.tokens_to("mallory@acme.test")[-1]
        r = await c.post(f"/verify-email/{newest}", follow_redirects=False)
        assert r.status_code == 303
        assert r.headers["location"] == "/login?notice=verified"
        # Single use.
        r = await c.post("/api/auth/verify", json={"token": newest})
        assert r.status_code == 410
        r = await _login(c, "mallory@acme.test")
        assert r.status_code == 200, r.text
        assert r.json()["user"]["company"]["name"] == "Acme"


async def test_an_expired_link_does_not_verify(mail_app: Any, mailbox: Mailbox) -> None:
    await make_user(mail_app.api.state.runtime.db, email="boss@acme.test", company="Acme")
    async with client(mail_app) as c:
        assert (await c.post("/api/auth/signup", json=_body("kim@acme.test"))).status_code == 202
        mailbox.wait(1)
        [token] = mailbox.tokens_to("kim@acme.test")
        owner = Database(mail_app.api.state.runtime.db.owner_url, pool_size=1, app_role=False)
        try:
            async with owner.engine.begin() as conn:
                from sqlalchemy import text

                await conn.execute(
                    text("UPDATE users SET verify_expires_at = :t WHERE email = 'kim@acme.test'"),
                    {"t": dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)},
                )
        finally:
            await owner.dispose()
        r = await c.post("/api/auth/verify", json={"token": token})
        assert r.status_code == 410
        assert r.json()["error"]["code"] == "verification_invalid"
        assert (await _login(c, "kim@acme.test")).status_code == 403


@pytest.mark.parametrize(
    "address",
    [
        "m@acme.test@beta.test",
        "m@@acme.test",
        "@acme.test",
        "m@",
        "m@acme",
        "m @acme.test",
        "m@acme.test\nbcc: x@evil.test",
        "m\x00@acme.test",
        ".m@acme.test",
        "m..x@acme.test",
        '"m"@acme.test',
        "m@acme..test",
        "m@-acme.test",
        "m@acme.123",
    ],
)
def test_addresses_with_more_than_one_reading_are_refused(address: str) -> None:
    with pytest.raises(InvalidInput):
        parse_email(address)


def test_addresses_are_normalised_with_an_idna_domain() -> None:
    assert parse_email(" Kim@Acme.TEST ") == "kim@acme.test"
    assert parse_email("kim@bücher.test") == "kim@xn--bcher-kva.test"
    assert parse_email("kim@한국.test") == "kim@xn--3e0b707e.test"


async def test_the_double_at_address_is_refused_by_the_api(mail_app: Any) -> None:
    await make_user(mail_app.api.state.runtime.db, email="boss@beta.test", company="Beta")
    async with client(mail_app) as c:
        r = await c.post("/api/auth/signup", json=_body("m@acme.test@beta.test"))
        assert r.status_code == 422
        assert r.json()["error"]["code"] == "invalid_email"


async def test_concurrent_signups_of_one_address_answer_409_not_500(
    mail_app: Any, mailbox: Mailbox
) -> None:
    """Issue 10 item 3: both passed the "taken?" check; the unique index refused the second."""
    await make_user(mail_app.api.state.runtime.db, email="boss@acme.test", company="Acme")
    async with client(mail_app) as c:
        answers = await asyncio.gather(
            *(c.post("/api/auth/signup", json=_body("twin@acme.test")) for _ in range(8))
        )
    codes = sorted(r.status_code for r in answers)
    # One wins; the rest collide on the unique index (409) — or, arriving after a winner
    # committed, replace its still unverified account (202), as a later sign-up does.
    assert set(codes) <= {202, 409}, [r.text for r in answers]
    assert 409 in codes, codes
    assert 202 in codes, codes
    assert {r.json()["error"]["code"] for r in answers if r.status_code == 409} == {"email_taken"}


async def test_without_smtp_the_link_is_written_to_the_log(
    app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    await make_user(app.api.state.runtime.db, email="boss@acme.test", company="Acme")
    with caplog.at_level(logging.WARNING, logger="persona_insight.accounts.mail"):
        async with client(app) as c:
            r = await c.post("/api/auth/signup", json=_body("lee@acme.test"))
    assert r.status_code == 202
    assert "/verify-email/pie_" in caplog.text


async def test_a_company_may_require_an_admins_approval(mail_app: Any, mailbox: Mailbox) -> None:
    db = mail_app.api.state.runtime.db
    admin = await make_user(db, email="boss@acme.test", company="Acme", role="company_admin")
    member = await make_user(db, email="kim@acme.test", company="Acme")
    async with client(mail_app, member) as c:
        r = await c.put("/api/company/membership", json={"require_approval": True})
        assert r.status_code == 403
    async with client(mail_app, admin) as c:
        r = await c.put("/api/company/membership", json={"require_approval": True})
        assert r.status_code == 200, r.text
        assert r.json() == {"require_approval": True}
    async with client(mail_app) as c:
        for who in ("new@acme.test", "spam@acme.test"):
            assert (await c.post("/api/auth/signup", json=_body(who))).status_code == 202
        mailbox.wait(2)
        for who in ("new@acme.test", "spam@acme.test"):
            r = await c.post("/api/auth/verify", json={"token": mailbox.tokens_to(who)[0]})
            assert r.json()["approval_pending"] is True
        r = await _login(c, "new@acme.test")
        assert r.status_code == 403
        assert r.json()["error"]["code"] == "approval_pending"
    async with client(mail_app, admin) as c:
        pending = (await c.get("/api/company/pending-members")).json()["items"]
        assert sorted(p["email"] for p in pending) == ["new@acme.test", "spam@acme.test"]
        ids = {p["email"]: p["id"] for p in pending}
        r = await c.post(f"/api/company/pending-members/{ids['new@acme.test']}/approve")
        assert r.status_code == 200, r.text
        r = await c.post(f"/api/company/pending-members/{ids['spam@acme.test']}/deny")
        assert r.status_code == 204
        assert (await c.get("/api/company/pending-members")).json()["items"] == []
        # An active member is not pending: approving or denying them is refused.
        r = await c.post(f"/api/company/pending-members/{member.user_id}/deny")
        assert r.status_code == 409
        assert r.json()["error"]["code"] == "not_pending"
    other = await make_user(db, email="x@other.test", company="Other", role="company_admin")
    async with client(mail_app, other) as c:
        r = await c.post(f"/api/company/pending-members/{ids['new@acme.test']}/approve")
        assert r.status_code == 404
    async with client(mail_app) as c:
        assert (await _login(c, "new@acme.test")).status_code == 200
        assert (await _login(c, "spam@acme.test")).status_code == 401


async def test_a_second_sign_up_replaces_an_unverified_account(
    mail_app: Any, mailbox: Mailbox
) -> None:
    """Otherwise anyone could squat an address (its owner could never sign up), or pre-set the
    password of an account its owner might verify later."""
    await make_user(mail_app.api.state.runtime.db, email="boss@acme.test", company="Acme")
    async with client(mail_app) as c:
        squat = {"email": "kim@acme.test", "password": "squatter-password", "name": "x"}
        assert (await c.post("/api/auth/signup", json=squat)).status_code == 202
        r = await c.post("/api/auth/signup", json=_body("kim@acme.test"))
        assert r.status_code == 202, r.text
        mailbox.wait(2)
        first, second = mailbox.tokens_to("kim@acme.test")
        assert (await c.post("/api/auth/verify", json={"token": first})).status_code == 410
        assert (await c.post("/api/auth/verify", json={"token": second})).status_code == 200
        assert (await _login(c, "kim@acme.test", "squatter-password")).status_code == 401
        assert (await _login(c, "kim@acme.test")).status_code == 200
        # A verified account's address stays taken.
        r = await c.post("/api/auth/signup", json=_body("kim@acme.test"))
        assert r.status_code == 409
        assert r.json()["error"]["code"] == "email_taken"
