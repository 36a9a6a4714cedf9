"""The workspace's upload form without JavaScript takes recordings too: the file picker offers
them, a recording starts `transcribing`, a file that is not audio is refused with its code."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tests.media.speech import wav_bytes
from tests.support import client, make_project, make_user
from tests.web.conftest import sign_in

pytestmark = pytest.mark.anyio


async def test_upload_form_takes_a_recording(app: Any) -> None:
    owner = await make_user(app.api.state.runtime.db, email="form@acme.test")
    project = await make_project(app, owner)
    browser = await sign_in(app, owner.email)
    try:
        workspace = f"/projects/{project['id']}"
        page = await browser.get(workspace)
        assert ".m4a" in page.text
        assert ".mp3" in page.text
        r = await browser.http.post(
            f"{workspace}/upload",
            data={"csrf_token": browser.csrf},
            files=[
                ("files", ("call.wav", wav_bytes(np.zeros(16000, np.int16), 16000), "audio/wav")),
                ("files", ("fake.mp3", b"not audio at all" * 100, "audio/mpeg")),
            ],
        )
        assert r.status_code == 303
        assert r.headers["location"] == f"{workspace}?problem=undecodable_media"
    finally:
        await browser.http.aclose()
    async with client(app, owner) as c:
        items = (await c.get(f"/api/projects/{project['id']}/interviews")).json()["items"]
    assert [(i["title"], i["status"], i["source"]) for i in items] == [
        ("call", "transcribing", "media")
    ]


@pytest.mark.parametrize(
    ("locale", "label"), [("ko", "녹음에서 말하는 언어"), ("en", "Language spoken in recordings")]
)
async def test_the_form_forces_the_language_of_its_recordings(
    app: Any, locale: str, label: str
) -> None:
    """Detection misjudges short Korean clips: the form lets the uploader say the language."""
    silence = ("files", ("call.wav", wav_bytes(np.zeros(16000, np.int16), 16000), "audio/wav"))
    owner = await make_user(app.api.state.runtime.db, email="lang@acme.test")
    project = await make_project(app, owner)
    browser = await sign_in(app, owner.email, locale)
    try:
        workspace = f"/projects/{project['id']}"
        page = await browser.get(workspace)
        assert label in page.text
        assert 'name="language"' in page.text
        r = await browser.http.post(
            f"{workspace}/upload",
            data={"csrf_token": browser.csrf, "language": "ko"},
            files=[silence],
        )
        assert r.status_code == 303
        assert r.headers["location"] == f"{workspace}?notice=uploaded"
        bad = await browser.http.post(
            f"{workspace}/upload",
            data={"csrf_token": browser.csrf, "language": "korean!"},
            files=[silence],
        )
        assert bad.headers["location"] == f"{workspace}?problem=invalid_language"
    finally:
        await browser.http.aclose()
    async with client(app, owner) as c:
        items = (await c.get(f"/api/projects/{project['id']}/interviews")).json()["items"]
    assert [(i["status"], i["language"]) for i in items] == [("transcribing", "ko")]
