"""A recording through the real server and worker: 202 `transcribing` at once, progress on the
project stream (stream-only, in order), then the analysis, whose evidence lines carry times;
the recording plays back with range requests."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from persona_insight.db import Database
from persona_insight.realtime.client import Message, SseClient
from tests.media.speech import INTERVIEW, needs_espeak, synthesize
from tests.support import http, make_user

pytestmark = [pytest.mark.anyio, pytest.mark.slow, needs_espeak]


async def _until_done(stream: SseClient, interview_id: str, timeout: float) -> list[Message]:
    got: list[Message] = []

    async def follow() -> None:
        async for message in stream.messages():
            got.append(message)
            body = json.loads(message.data)
            if body["type"] in ("interview:completed", "interview:failed") and (
                body["data"].get("interview_id") == interview_id
            ):
                return

    await asyncio.wait_for(follow(), timeout)
    return got


async def test_recording_is_transcribed_then_analysed(
    live_worker_server: Any, settings: Any
) -> None:
    db = Database(settings.database_url, pool_size=2)
    member = await make_user(db, email="mina@acme.test")
    await db.dispose()
    url = live_worker_server.url
    wav, _ = synthesize(INTERVIEW)
    async with http(url, member) as c:
        project_id = (await c.post("/api/projects", json={"name": "Calls"})).json()["id"]
        stream = SseClient(f"{url}/api/sse/projects/{project_id}", headers=member.headers)
        assert (await stream.connect()).status == 200
        r = await c.post(
            "/api/workflow/async",
            data={"project_id": project_id, "language": "en"},
            files={"file": ("grocery call.wav", wav, "audio/wav")},
        )
        assert r.status_code == 202, r.text
        accepted = r.json()["interview"]
        assert accepted["status"] == "transcribing"
        assert accepted["source"] == "media"
        assert accepted["language"] == "en"
        interview_id = accepted["id"]
        try:
            messages = await _until_done(stream, interview_id, timeout=240)
        finally:
            await stream.close()

        bodies = [json.loads(m.data) for m in messages]
        progress = [b for b in bodies if b["type"] == "interview:transcription_progress"]
        assert progress, [b["type"] for b in bodies]
        percents = [b["data"]["percent"] for b in progress]
        assert percents == sorted(percents), percents
        assert percents[-1] == 100, percents
        assert all(b["seq"] is None for b in progress)  # stream-only: no id, not replayed
        assert {b["data"]["interview_id"] for b in progress} == {interview_id}
        kinds = [b["type"] for b in bodies if b["type"] != "interview:transcription_progress"]
        assert kinds[-1] == "interview:completed", kinds
        statuses = [b["data"]["status"] for b in bodies if b["type"] == "interview:status_changed"]
        assert statuses[:1] == ["processing"], statuses
        # Progress ends before the transcript is handed to the analysis.
        last_progress = max(i for i, b in enumerate(bodies) if b in progress)
        first_status = next(
            i for i, b in enumerate(bodies) if b["type"] == "interview:status_changed"
        )
        assert last_progress < first_status

        detail = (await c.get(f"/api/interviews/{interview_id}")).json()
        assert detail["status"] == "completed", detail["error"]
        assert "Speaker 1:" in detail["text"]
        assert "Speaker 2:" in detail["text"]
        result = detail["analysis"]["result"]
        timed = {i: line for line in result["cleaned_script"] for i in line["id"]}
        assert all(line["start_ms"] is not None for line in timed.values())
        findings = result["primary_pain_points"] + result["primary_needs"]
        assert findings, result
        for finding in findings:
            for line_id in finding["evidence"]:
                assert timed[line_id]["start_ms"] is not None

        # Replaying the stream from the start brings the stored events, never the progress.
        replay = SseClient(
            f"{url}/api/sse/projects/{project_id}", headers=member.headers, last_event_id="0"
        )
        assert (await replay.connect()).status == 200
        try:
            again = await _until_done(replay, interview_id, timeout=20)
        finally:
            await replay.close()
        assert not [m for m in again if "transcription_progress" in m.data]

        # Playback: the whole file, then a range.
        whole = await c.get(f"/api/interviews/{interview_id}/media")
        assert whole.status_code == 200
        assert whole.content == wav
        assert whole.headers["content-type"] == "audio/wav"
        assert whole.headers["accept-ranges"] == "bytes"
        assert "no-store" in whole.headers["cache-control"]
        part = await c.get(
            f"/api/interviews/{interview_id}/media", headers={"Range": "bytes=100-199"}
        )
        assert part.status_code == 206
        assert part.content == wav[100:200]
        assert part.headers["content-range"] == f"bytes 100-199/{len(wav)}"
