"""Decoding and transcribing run in the worker's sandbox child under CPU-time and memory bounds
scaled to the recording: a job that exceeds them fails the interview with the sandbox's code and
writes no transcript; the bounds grow with the recording's length."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from persona_insight.ingest.sandbox import Limits
from persona_insight.media import tasks
from tests.media.speech import INTERVIEW, needs_espeak, synthesize
from tests.support import client, make_project, make_user, wait_for_status


def test_bounds_scale_with_the_recording(settings: Any) -> None:
    short, long = tasks.limits_for(settings, 60_000), tasks.limits_for(settings, 3_600_000)
    assert short.cpu_s < long.cpu_s
    assert long.cpu_s >= settings.speech_cpu_s_per_audio_s * 3600
    assert short.memory_bytes == long.memory_bytes == settings.speech_memory_mb * 1024 * 1024
    assert long.wall_s > long.cpu_s


@needs_espeak
@pytest.mark.slow
@pytest.mark.anyio
async def test_a_job_over_its_cpu_bound_fails_with_nothing_written(
    app: Any, worker: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One CPU second: loading the model alone takes more.
    monkeypatch.setattr(
        tasks, "limits_for", lambda settings, ms: Limits(cpu_s=1, memory_bytes=3 << 30, wall_s=60)
    )
    member = await make_user(app.api.state.runtime.db, email="cpu@acme.test")
    project = await make_project(app, member)
    wav, _ = synthesize(INTERVIEW[:2])  # speech: a tone would end as no_speech, model unused
    async with client(app, member) as c:
        r = await c.post(
            "/api/workflow/async",
            data={"project_id": project["id"], "language": "en"},
            files={"file": ("call.wav", wav, "audio/wav")},
        )
    assert r.status_code == 202, r.text
    detail = await wait_for_status(
        app, member, r.json()["interview_id"], {"failed", "completed"}, 120
    )
    assert detail["status"] == "failed"
    assert detail["error"]["code"] == "file_too_complex", detail["error"]
    assert detail["text"] == ""
    assert detail["analysis"] is None


def test_a_memory_bound_the_model_cannot_load_in_is_refused(settings: Any) -> None:
    # 640 MB let the child die loading Whisper base, and the recording failed as a malformed
    # file: a setting that can never work is refused when the settings are read.
    with pytest.raises(ValidationError, match="speech_memory_mb"):
        type(settings).model_validate({**settings.model_dump(), "speech_memory_mb": 640})
