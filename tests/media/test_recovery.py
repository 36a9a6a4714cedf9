"""A recording's interview recovers like a text one: a worker killed with SIGKILL mid-transcription
leaves it `transcribing` and another worker finishes it; a failed recording that already has its
transcript is retried by the analysis alone (`failed → processing`), without transcribing again."""

from __future__ import annotations

import asyncio
import signal
from typing import Any

import numpy as np
import pytest
from sqlalchemy import text

from tests.media.speech import INTERVIEW, needs_espeak, synthesize, wav_bytes
from tests.support import (
    as_owner,
    client,
    make_project,
    make_user,
    start_worker,
    stop_worker,
    wait_for_status,
)

pytestmark = pytest.mark.anyio


async def _transcription_running(app: Any, timeout: float) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        async with as_owner(app.api.state.runtime.db.owner_url) as session:
            doing = await session.scalar(
                text(
                    "SELECT count(*) FROM procrastinate_jobs "
                    "WHERE task_name = 'transcribe_interview' AND status = 'doing'"
                )
            )
        if doing:
            return
        await asyncio.sleep(0.2)
    raise AssertionError("the transcription job never started")


@needs_espeak
@pytest.mark.slow
async def test_killed_mid_transcription_another_worker_finishes(app: Any, settings: Any) -> None:
    member = await make_user(app.api.state.runtime.db, email="kill@acme.test")
    project = await make_project(app, member)
    wav, _ = synthesize(INTERVIEW)
    async with client(app, member) as c:
        r = await c.post(
            "/api/workflow/async",
            data={"project_id": project["id"], "language": "en"},
            files={"file": ("call.wav", wav, "audio/wav")},
        )
    assert r.status_code == 202, r.text
    interview_id = r.json()["interview_id"]

    log = (settings.data_dir.parent / "workers.log").open("ab")
    first = start_worker(settings, log)
    try:
        await _transcription_running(app, timeout=120)
        await asyncio.sleep(0.5)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    async with client(app, member) as c:
        detail = (await c.get(f"/api/interviews/{interview_id}")).json()
    assert detail["status"] == "transcribing", "the worker should have died mid-transcription"
    assert detail["text"] == ""

    second = start_worker(settings, log)
    try:
        detail = await wait_for_status(app, member, interview_id, {"completed", "failed"}, 300)
    finally:
        stop_worker(second)
        log.close()
    assert detail["status"] == "completed", detail["error"]
    assert detail["text"].startswith("[00:00:")
    assert detail["attempts"] == 1


async def test_retry_with_a_transcript_only_analyses_again(app: Any) -> None:
    member = await make_user(app.api.state.runtime.db, email="again@acme.test")
    project = await make_project(app, member)
    async with client(app, member) as c:
        # Any decodable recording: no worker runs here, the job's outcome is set below.
        r = await c.post(
            "/api/workflow/async",
            data={"project_id": project["id"]},
            files={
                "file": ("call.wav", wav_bytes(np.zeros(16_000, np.int16), 16_000), "audio/wav")
            },
        )
        assert r.status_code == 202, r.text
        interview_id = r.json()["interview_id"]
        said = "[00:00:01] Speaker 1: How do you charge?\n[00:00:04] Speaker 2: At home."
        async with as_owner(app.api.state.runtime.db.owner_url) as session:
            await session.execute(
                text(
                    "UPDATE interviews SET status = 'failed', text = :t, "
                    'error = \'{"code": "llm_unavailable"}\'::jsonb WHERE id = :i'
                ),
                {"t": said, "i": interview_id},
            )
        again = await c.post(f"/api/interviews/{interview_id}/retry")
        assert again.status_code == 202, again.text
        assert again.json()["status"] == "processing"
        detail = (await c.get(f"/api/interviews/{interview_id}")).json()
    assert detail["text"] == said  # the transcript is kept, not made again
    async with as_owner(app.api.state.runtime.db.owner_url) as session:
        tasks = (
            await session.scalars(
                text(
                    "SELECT task_name FROM procrastinate_jobs WHERE args->>'interview_id' = :i "
                    "ORDER BY id"
                ),
                {"i": interview_id},
            )
        ).all()
    assert tasks == ["transcribe_interview", "analyse_interview"]


@pytest.mark.slow
async def test_a_trashed_recording_is_left_alone_until_restored(app: Any, settings: Any) -> None:
    """Trashed while waiting to be transcribed, a recording stays `transcribing` (its job does
    nothing for an interview in the trash). The reconciler used to take it for stuck and queue
    it again on every pass (36 times in 25 s with the tests' 0.5 s interval); restored, it is
    stuck in the ordinary way and queued once more."""
    member = await make_user(app.api.state.runtime.db, email="trash@acme.test")
    project = await make_project(app, member)
    tone = (np.sin(np.arange(16_000 * 2) * 0.1) * 8000).astype(np.int16)
    async with client(app, member) as c:
        r = await c.post(
            "/api/workflow/async",
            data={"project_id": project["id"]},
            files={"file": ("call.wav", wav_bytes(tone, 16_000), "audio/wav")},
        )
        assert r.status_code == 202, r.text
        interview_id = r.json()["interview_id"]
        assert (await c.delete(f"/api/interviews/{interview_id}")).status_code == 200

    path = settings.data_dir.parent / "trash-worker.log"
    log = path.open("ab")
    requeued = f"re-queued stuck interview {interview_id}"
    worker = start_worker(settings, log)
    try:
        # Stuck once 8 s have passed without a change here, then checked every 0.5 s.
        await asyncio.sleep(14)
        assert path.read_text(errors="replace").count(requeued) == 0
        async with client(app, member) as c:
            detail = (await c.get(f"/api/interviews/{interview_id}")).json()
            assert detail["status"] == "transcribing"
            assert (await c.post(f"/api/interviews/{interview_id}/restore")).status_code == 200
        deadline = asyncio.get_running_loop().time() + 60
        while requeued not in path.read_text(errors="replace"):
            assert asyncio.get_running_loop().time() < deadline, "the restored one was not queued"
            await asyncio.sleep(0.3)
    finally:
        stop_worker(worker)
        log.close()
