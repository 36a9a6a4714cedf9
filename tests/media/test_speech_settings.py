"""A company's own speech-to-text settings: saved and checked (the key sealed, never shown), the
transcription job uses them — against a fake OpenAI-compatible speech API on 127.0.0.1 — and the
admin page says, in Korean and English, that with the API the audio leaves the machine."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
from sqlalchemy import text

from tests.analysis.fakes.server import serving
from tests.media.fake_speech import FakeSpeech
from tests.media.speech import wav_bytes
from tests.support import as_owner, client, make_project, make_user, wait_for_status
from tests.web.conftest import sign_in

pytestmark = pytest.mark.anyio

SECRET = "sk-speech-company-0123456789"


async def test_settings_are_saved_checked_and_the_key_never_shown(app: Any) -> None:
    db = app.api.state.runtime.db
    admin = await make_user(db, email="admin@acme.test", role="company_admin")
    member = await make_user(db, email="kim@acme.test")
    async with client(app, admin) as c:
        start = (await c.get("/api/company/speech")).json()
        assert start["engine"] is None
        assert start["default_engine"] == "local"
        assert start["audio_leaves_machine"] is False
        r = await c.put(
            "/api/company/speech",
            json={
                "engine": "api",
                "api_base_url": "https://speech.example.test/v1/",
                "api_model": "whisper-large-v3",
                "api_key": SECRET,
                "language": "KO",
            },
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert SECRET not in r.text
        assert body["engine"] == "api"
        assert body["api_base_url"] == "https://speech.example.test/v1"
        assert body["api_key_set"] is True
        assert body["language"] == "ko"
        assert body["audio_leaves_machine"] is True

        # Bad input: 422 with a code, and nothing of it stored.
        for bad in (
            {"api_base_url": "file:///etc/passwd"},
            {"api_base_url": "javascript:alert(1)"},
            {"language": "korean"},
            {"engine": "cloud"},
            {"api_key": 12345},
            {"unknown": "x"},
        ):
            r = await c.put("/api/company/speech", json=bad)
            assert r.status_code == 422, bad
            assert r.json()["error"]["code"] == "validation_error", bad
        r = await c.put("/api/company/speech", json={"api_base_url": ""})
        assert r.status_code == 422
        assert r.json()["error"]["code"] == "speech_api_url_required"
        after = (await c.get("/api/company/speech")).json()
        assert after["api_base_url"] == "https://speech.example.test/v1"

        # The analysis settings keep their own keys beside the speech key, and the other way.
        await c.put("/api/company/analysis", json={"llm_api_key": "sk-llm-key"})
        assert (await c.get("/api/company/speech")).json()["api_key_set"] is True
        r = await c.put("/api/company/speech", json={"api_key": ""})
        assert r.json()["api_key_set"] is False
        assert (await c.get("/api/company/analysis")).json()["llm_api_key_set"] is True
        r = await c.put("/api/company/speech", json={"engine": None, "language": ""})
        assert r.json()["engine"] is None
        assert r.json()["language"] is None
        assert r.json()["audio_leaves_machine"] is False
        audit = (await c.get("/api/admin/audit")).text
        assert "speech_settings_changed" in audit
        assert SECRET not in audit
    async with client(app, member) as c:
        assert (await c.get("/api/company/speech")).status_code == 403
        r = await c.put("/api/company/speech", json={"engine": "api"})
        assert r.status_code == 403
    async with as_owner(db.owner_url) as s:
        stored = (
            await s.execute(
                text("SELECT speech_config::text || coalesce(engine_secrets, '') FROM companies")
            )
        ).scalars()
        assert all(SECRET not in row for row in stored)


def _two_tones() -> bytes:
    """Four turns of two tones (low, high, low, high) with pauses: loud enough for the silence
    check and two "voices" for the speaker grouping; the fake API does the hearing."""
    rate = 16_000
    pieces = []
    for n, seconds in enumerate((2.0, 3.0, 2.0, 3.0)):
        t = np.arange(int(rate * seconds)) / rate
        pitch = 150 if n % 2 == 0 else 600
        voice = np.sin(2 * np.pi * pitch * t) + 0.5 * np.sin(2 * np.pi * 3 * pitch * t)
        pieces += [voice * 6000, np.zeros(rate // 2)]
    return wav_bytes(np.concatenate(pieces).astype(np.int16), rate)


TURNS = [
    (0.0, 2.0, "장보기는 어떻게 계획하세요?"),
    (2.5, 5.5, "공책에 목록을 쓰는데 자주 빠뜨려서 정말 불편해요."),
    (6.0, 8.0, "빠뜨리면 어떻게 되나요?"),
    (8.5, 11.5, "다시 마트에 가야 해서 시간이 아까워요. 앱이 알려 주면 좋겠어요."),
]


async def _call_transcribed(app: Any, admin: Any, c: Any) -> dict[str, Any]:
    """A two-voice call uploaded to a new project, once the worker is done with it."""
    project = await make_project(app, admin, "Calls")
    r = await c.post(
        "/api/workflow/async",
        data={"project_id": project["id"]},
        files={"file": ("call.wav", _two_tones(), "audio/wav")},
    )
    assert r.status_code == 202, r.text
    return await wait_for_status(app, admin, r.json()["interview_id"], {"completed", "failed"}, 600)


@pytest.mark.slow
async def test_the_job_uses_the_company_speech_engine(app: Any, worker: None) -> None:
    speech = FakeSpeech(segments=[{"start": a, "end": b, "text": said} for a, b, said in TURNS])
    db = app.api.state.runtime.db
    admin = await make_user(db, email="admin@acme.test", role="company_admin")
    other = await make_user(db, email="lee@other.test", company="Other", role="company_admin")
    with serving(speech):
        async with client(app, admin) as c:
            r = await c.put(
                "/api/company/speech",
                json={
                    "engine": "api",
                    "api_base_url": speech.base_url,
                    "api_model": "company-whisper",
                    "api_key": SECRET,
                    "language": "ko",
                },
            )
            assert r.status_code == 200, r.text
            done = await _call_transcribed(app, admin, c)
        assert done["status"] == "completed", done.get("error")
        assert len(speech.heard) == 1
        heard = speech.heard[0]
        assert heard.fields["model"] == "company-whisper"
        assert heard.fields["response_format"] == "verbose_json"
        assert heard.fields["language"] == "ko"  # the company's default language
        assert heard.authorization == f"Bearer {SECRET}"
        assert "불편해요" in done["text"]
        assert "Speaker 2:" in done["text"]  # the two "voices" were told apart
        assert re.search(r"^\[00:00:0\d\.\d{3} --> ", done["text"], re.MULTILINE)

        # Another company, still on the instance default (local), never reaches this API.
        async with client(app, other) as c:
            assert (await c.get("/api/company/speech")).json()["engine"] is None
    assert len(speech.heard) == 1


async def test_a_speech_api_that_is_briefly_unavailable_is_tried_again(
    app: Any, worker: None
) -> None:
    """A 503 from the speech API is transient: the transcription is tried again with back-off,
    as an analysis is, instead of failing the interview at the first answer."""
    speech = FakeSpeech(
        segments=[{"start": a, "end": b, "text": said} for a, b, said in TURNS],
        unavailable_first=1,
    )
    admin = await make_user(app.api.state.runtime.db, email="admin@acme.test", role="company_admin")
    with serving(speech):
        async with client(app, admin) as c:
            r = await c.put(
                "/api/company/speech",
                json={"engine": "api", "api_base_url": speech.base_url, "language": "ko"},
            )
            assert r.status_code == 200, r.text
            done = await _call_transcribed(app, admin, c)
    assert done["status"] == "completed", done.get("error")
    assert len(speech.heard) == 2
    assert "불편해요" in done["text"]


@pytest.mark.parametrize(
    ("language", "leaves", "note", "engine_label"),
    [
        ("ko", "오디오가 이 서버 밖으로 나갑니다", "오디오에 적용되지 않습니다", "음성 인식 API"),
        ("en", "the audio leaves this server", "does not apply to audio", "Speech-to-text API"),
    ],
)
async def test_the_page_says_the_audio_leaves_the_machine(
    app: Any, language: str, leaves: str, note: str, engine_label: str
) -> None:
    admin = await make_user(app.api.state.runtime.db, email="boss@acme.test", role="company_admin")
    browser = await sign_in(app, admin.email, language)
    async with browser:
        page = await browser.get("/admin/analysis")
        assert page.status_code == 200
        assert engine_label in page.text
        assert note in page.text  # beside the API's fields, whatever the engine
        assert 'id="speech-leaves"' not in page.text  # local: nothing leaves
        r = await browser.post(
            "/admin/analysis/speech",
            data={
                "speech_engine": "api",
                "speech_api_base_url": "ftp://speech.example.test",
                "speech_api_model": "",
                "speech_language": "",
                "speech_api_key": "",
            },
        )
        assert r.status_code == 422
        assert re.search(r'id="e-speech_api_base_url">', r.text)
        r = await browser.post(
            "/admin/analysis/speech",
            data={
                "speech_engine": "api",
                "speech_api_base_url": "https://speech.example.test/v1",
                "speech_api_model": "whisper-1",
                "speech_language": "ko",
                "speech_api_key": SECRET,
            },
        )
        assert r.status_code == 303, r.text
        assert r.headers["location"] == "/admin/analysis?notice=saved#speech"
        page = await browser.get("/admin/analysis")
        assert SECRET not in page.text
        assert re.search(rf'id="speech-leaves">[^<]*{leaves}', page.text)
        assert 'value="https://speech.example.test/v1"' in page.text
        r = await browser.post("/admin/analysis/clear-key", data={"key": "speech_api_key"})
        assert r.headers["location"] == "/admin/analysis?notice=key_cleared#speech_api_key"
    async with client(app, admin) as c:
        assert (await c.get("/api/company/speech")).json()["api_key_set"] is False
