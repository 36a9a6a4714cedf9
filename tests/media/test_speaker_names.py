"""A researcher names a recording's detected speakers ("Speaker 2" → "김민지"): the transcript's
labels are rewritten, `interview:updated` says so, the interview is analysed again, and the
script shows the name. Bad names and unknown speakers change nothing."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from sqlalchemy import text

from tests.analysis.fakes.server import serving
from tests.media.fake_speech import FakeSpeech
from tests.media.speech import wav_bytes
from tests.media.test_speech_settings import TURNS, _two_tones
from tests.support import as_owner, client, make_project, make_user, wait_for_status
from tests.web.conftest import sign_in

pytestmark = [pytest.mark.anyio, pytest.mark.slow]


async def _events(app: Any, project_id: str, *interview_ids: str) -> list[tuple[str, Any]]:
    """The project's stored events, or only those about `interview_ids`: the jobs an analysis
    defers (search index, persona placement, insights) add events of their own at any time."""
    async with as_owner(app.api.state.runtime.db.owner_url) as session:
        rows = await session.execute(
            text("SELECT type, payload FROM events WHERE project_id = :p ORDER BY seq"),
            {"p": project_id},
        )
        found = [(r.type, r.payload) for r in rows]
    if interview_ids:
        found = [(t, p) for t, p in found if p.get("interview_id") in interview_ids]
    return found


async def test_naming_speakers(app: Any, worker: None) -> None:
    speech = FakeSpeech(segments=[{"start": a, "end": b, "text": said} for a, b, said in TURNS])
    db = app.api.state.runtime.db
    admin = await make_user(db, email="admin@acme.test", role="company_admin")
    stranger = await make_user(db, email="x@other.test", company="Other")
    with serving(speech):
        async with client(app, admin) as c:
            await c.put(
                "/api/company/speech",
                json={"engine": "api", "api_base_url": speech.base_url, "language": "ko"},
            )
            project = await make_project(app, admin, "Calls")
            r = await c.post(
                "/api/workflow/async",
                data={"project_id": project["id"]},
                files={"file": ("call.wav", _two_tones(), "audio/wav")},
            )
            recording = r.json()["interview_id"]
            r = await c.post(
                "/api/workflow/async",
                json={"project_id": project["id"], "text": "Q: 어떠세요?\nA: 충전이 불편해요."},
            )
            typed = r.json()["interview_id"]
            for interview_id in (recording, typed):
                done = await wait_for_status(app, admin, interview_id, {"completed", "failed"}, 600)
                assert done["status"] == "completed", done["error"]
            detail = (await c.get(f"/api/interviews/{recording}")).json()
            assert "] Speaker 1: " in detail["text"]
            assert "] Speaker 2: " in detail["text"]

            url = f"/api/interviews/{recording}/speakers"
            count = len(await _events(app, project["id"], recording, typed))
            assert count > 0
            cases: list[tuple[Any, int, str]] = [
                ({"names": {"Speaker 9": "김민지"}}, 422, "unknown_speaker"),
                ({"names": {"Speaker 1": "Speaker 2"}}, 422, "speaker_name_taken"),
                ({"names": {"Speaker 1": "민지", "Speaker 2": "민지"}}, 422, "speaker_name_taken"),
                ({"names": {"Speaker 1": "a: b"}}, 422, "validation_error"),
                ({"names": {"Speaker 1": "   "}}, 422, "validation_error"),
                ({"names": {"Speaker 1": "x" * 61}}, 422, "validation_error"),
                ({"names": {"Speaker 1": "Dr. Kim"}}, 422, "invalid_speaker_name"),
                ({"names": {"Speaker 1": 5}}, 422, "validation_error"),
                ({"names": {}}, 422, "validation_error"),
            ]
            for body, status, code in cases:
                r = await c.patch(url, json=body)
                assert (r.status_code, r.json()["error"]["code"]) == (status, code), body
            r = await c.patch(f"/api/interviews/{typed}/speakers", json={"names": {"Q": "김민지"}})
            assert (r.status_code, r.json()["error"]["code"]) == (409, "not_a_recording")
            assert len(await _events(app, project["id"], recording, typed)) == count
            assert (await c.get(f"/api/interviews/{recording}")).json()["text"] == detail["text"]

            r = await c.patch(url, json={"names": {"Speaker 2": " 김민지 "}})
            assert r.status_code == 200, r.text
            assert r.json()["status"] == "processing"
            done = await wait_for_status(app, admin, recording, {"completed", "failed"}, 600)
            assert done["status"] == "completed", done["error"]
        assert "] 김민지: " in done["text"]
        assert "] Speaker 2: " not in done["text"]
        assert done["text"].replace("김민지", "Speaker 2") == detail["text"]  # only labels
        result = done["analysis"]["result"]
        names = {line["speaker_name"] for line in result["cleaned_script"]}
        assert names == {"Speaker 1", "김민지"}
        updated = [p for t, p in await _events(app, project["id"]) if t == "interview:updated"]
        assert updated[-1]["changes"] == ["speaker_names"]

        async with client(app, stranger) as c:
            r = await c.patch(url, json={"names": {"Speaker 1": "x"}})
            assert (r.status_code, r.json()["error"]["code"]) == (404, "interview_not_found")

        # The page: the script says who speaks; the form renames (without JavaScript).
        browser = await sign_in(app, admin.email, "ko")
        async with browser:
            page = await browser.get(f"/interviews/{recording}")
            assert '<span class="line-speaker">김민지</span>' in page.text
            assert 'action="/interviews/' + recording + '/speakers/rename"' in page.text
            r = await browser.post(
                f"/interviews/{recording}/speakers/rename",
                data={"speaker": "Speaker 1", "name": "면접관 박"},
            )
            assert r.status_code == 303
            assert r.headers["location"].endswith("?notice=speaker_renamed#speakers")
            done = await wait_for_status(app, admin, recording, {"completed", "failed"}, 600)
            assert "] 면접관 박: " in done["text"]
            r = await browser.post(
                f"/interviews/{recording}/speakers/rename",
                data={"speaker": "면접관 박", "name": "김민지"},
            )
            assert "problem=speaker_name_taken" in r.headers["location"]


@pytest.mark.parametrize(
    ("speech", "warning"),
    [
        ({"speakers": 1, "speaker_confidence": 0.0}, "Only one voice was found"),
        ({"speakers": 2, "speaker_confidence": 0.14}, "hard to tell apart (0.14 on a scale to 1)"),
        ({"speakers": 2, "speaker_confidence": 0.61}, None),
    ],
)
async def test_the_page_warns_when_the_voices_were_not_told_apart(
    app: Any, speech: dict[str, Any], warning: str | None
) -> None:
    """How sure the voice grouping is decides what the page says, not one caveat for all."""
    owner = await make_user(app.api.state.runtime.db, email="voices@acme.test")
    project = await make_project(app, owner)
    async with client(app, owner) as c:
        r = await c.post(
            "/api/workflow/async",
            data={"project_id": project["id"]},
            files={"file": ("call.wav", wav_bytes(np.zeros(16000, np.int16), 16000), "audio/wav")},
        )
        interview_id = r.json()["interview_id"]
    heard = {"engine": "local", "duration_ms": 60_000, **speech}
    async with as_owner(app.api.state.runtime.db.owner_url) as session:
        await session.execute(
            text("UPDATE interviews SET speech = CAST(:s AS jsonb) WHERE id = :i"),
            {"s": json.dumps(heard), "i": interview_id},
        )
    browser = await sign_in(app, owner.email, "en")
    try:
        page = (await browser.get(f"/interviews/{interview_id}")).text
    finally:
        await browser.http.aclose()
    if warning is None:
        assert 'id="voices-note"' not in page
    else:
        assert 'id="voices-note"' in page
        assert warning in page
    async with client(app, owner) as c:
        assert (await c.get(f"/api/interviews/{interview_id}")).json()["speech"] == heard
