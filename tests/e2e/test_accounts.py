"""A new colleague signs up (following the mailed link), sets up their profile (language,
picture, an API token seen once) and signs out — in a real browser, with screenshots of the
pages in both languages."""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Iterator
from typing import Any

import pytest

from tests.accounts.mailbox import Mailbox, mail_settings, smtp_server
from tests.e2e.conftest import PASSWORD, Team, open_page, screenshot
from tests.e2e.test_pages import assert_translated

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]


def face_png(size: int = 96) -> bytes:
    """A small picture to upload: a warm disc on a teal ground (no image library needed)."""
    rows = []
    centre = (size - 1) / 2
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            inside = (x - centre) ** 2 + (y - centre * 0.9) ** 2 < (size * 0.3) ** 2
            row += bytes((244, 180, 120) if inside else (15, 118, 110))
        rows.append(bytes(row))

    return png(size, size, b"".join(rows), colour=2)


def png(width: int, height: int, rows: bytes, colour: int = 0) -> bytes:
    """A PNG of `width` × `height` 8-bit pixels (colour type 0 grey, 2 RGB) from its filtered
    rows, which may hold fewer rows than it declares (to declare a huge picture cheaply)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, colour, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with smtp_server() as box:
        yield box


@pytest.fixture
def worker_settings(settings: Any, mailbox: Mailbox) -> Any:
    # The team's server mails sign-up links to the test's SMTP server.
    return mail_settings(settings, mailbox, run_worker_in_process=True, worker_concurrency=2)


async def test_sign_up_profile_and_sign_out(chromium: Any, team: Team, mailbox: Mailbox) -> None:
    context = await chromium.new_context(
        base_url=team.url, locale="ko-KR", viewport={"width": 1280, "height": 860}
    )
    context.set_default_timeout(15_000)
    await context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = await open_page(context, "/login")
    await page.click("a[href='/signup']")
    await page.wait_for_url(re.compile(r"/signup$"))
    await assert_translated(page, "ko")
    await page.fill("#f-email", "sora@acme.test")
    await page.fill("#f-name", "한소라")
    await page.fill("#f-password", "short")
    await page.click("form[action='/signup'] button[type=submit]")
    await page.wait_for_selector("#e-password")
    assert "8자 이상" in await page.inner_text("#e-password")
    await screenshot(page, "sign-up-ko")
    await page.fill("#f-password", PASSWORD)
    await page.click("form[action='/signup'] button[type=submit]")
    await page.wait_for_selector("#sent-h")
    assert "sora@acme.test" in await page.inner_text("main")
    await screenshot(page, "sign-up-sent-ko")
    page.errors.clear()  # the refused sign-up answered 422, which the console reports

    # The mailed link (a real SMTP server): a page with a button, then the sign-in.
    [secret] = mailbox.tokens_to("sora@acme.test")
    await page.goto(f"/verify-email/{secret}")
    await assert_translated(page, "ko")
    await page.click("form[action^='/verify-email/'] button[type=submit]")
    await page.wait_for_url(re.compile(r"/login\?notice=verified$"))
    await page.fill("#email", "sora@acme.test")
    await page.fill("#password", PASSWORD)
    await page.click("form[action='/login'] button[type=submit]")
    await page.wait_for_url(re.compile(r"/projects$"))

    # The profile, from the name in the top bar.
    await page.click("a.me")
    await page.wait_for_url(re.compile(r"/profile$"))
    await assert_translated(page, "ko")
    await page.set_input_files(
        "#avatar-file", files=[{"name": "me.png", "mimeType": "image/png", "buffer": face_png()}]
    )
    # Choosing the picture sends it.
    await page.wait_for_url(re.compile(r"notice=avatar_saved"))
    loaded = "(img) => img.complete && img.naturalWidth === 96"
    await page.wait_for_function(f"() => ({loaded})(document.querySelector('a.me img.avatar'))")

    # A token: shown once, copied with the button, gone after a reload.
    await page.fill("#f-token_name", "가져오기 스크립트")
    await page.click("#token-form button[type=submit]")
    secret = await page.input_value("#new-token")
    assert secret.startswith("pit_")
    await page.click("button[data-copy='new-token']")
    await page.wait_for_function(
        "() => document.getElementById('announcer').textContent.includes('복사했습니다')"
    )
    assert await page.evaluate("() => navigator.clipboard.readText()") == secret
    # The address is the profile's own again, so a reload does not post the form twice.
    await page.wait_for_function("() => location.href.endsWith('/profile#tokens')")
    await screenshot(page, "profile-ko")
    await page.reload()
    assert await page.locator("#new-token").count() == 0
    assert secret[:10] in await page.inner_text("#tokens table")

    # Language, kept in the profile.
    await page.check("input[name=locale][value=en]")
    await page.click("form[action='/profile'] button[type=submit]")
    await page.wait_for_url(re.compile(r"notice=saved"))
    assert await page.get_attribute("html", "lang") == "en"
    await assert_translated(page, "en")
    await screenshot(page, "profile-en")

    await page.click("form[action='/logout'] button")
    await page.wait_for_url(re.compile(r"/login\?notice=signed_out"))
    assert (await context.request.get("/api/me")).status == 401
    # The sign-up page in English, for the record.
    await page.goto("/locale/en?next=/signup")
    await page.wait_for_url(re.compile(r"/signup$"))
    await assert_translated(page, "en")
    await screenshot(page, "sign-up-en")
    assert not page.errors, page.errors
    await context.close()
