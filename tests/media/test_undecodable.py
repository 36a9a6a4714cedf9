"""A codec PyAV cannot decode, crafted here as WAV files whose `fmt ` chunk names a format tag:
refused at upload when the header tells (no decoder for the tag, or one that will not open with
what the header declares), else the interview fails `undecodable_media` once the job decodes."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from persona_insight.media import decode
from tests.support import client, make_project, make_user, wait_for_status

# Format tags checked against the PyAV (FFmpeg) bundled here:
UNKNOWN = 0x1234  # no codec has this tag: PyAV gives the stream no codec context
G726 = 0x0064  # a G.726 decoder exists but will not open without the bit depth the header omits
WMAV2 = 0x0161  # the WMA v2 decoder opens, then rejects the PCM bytes the file actually holds


def wav_with_tag(tag: int, seconds: float = 1.0) -> bytes:
    """One second of a 16 kHz tone as PCM bytes, under a `fmt ` chunk naming `tag`."""
    rate = 16_000
    tone = np.sin(np.arange(int(rate * seconds)) * 0.1) * 8000
    data = tone.astype("<i2").tobytes()
    fmt = struct.pack("<HHIIHH", tag, 1, rate, rate * 2, 2, 16)
    body = (
        b"WAVEfmt "
        + struct.pack("<I", len(fmt))
        + fmt
        + b"data"
        + struct.pack("<I", len(data))
        + data
    )
    return b"RIFF" + struct.pack("<I", len(body)) + body


def test_pcm_under_its_own_tag_decodes(tmp_path: Path) -> None:
    """The crafting is sound: the same bytes under the PCM tag (1) are a second of audio."""
    path = tmp_path / "pcm.wav"
    path.write_bytes(wav_with_tag(1))
    assert decode.probe(path).duration_ms == 1000
    assert decode.decode(path, max_duration_s=10).size == 16_000


@pytest.mark.parametrize(
    ("tag", "reason"), [(UNKNOWN, "no_decoder"), (G726, "decoder_refused")], ids=["unknown", "g726"]
)
def test_probe_refuses_what_has_no_working_decoder(tmp_path: Path, tag: int, reason: str) -> None:
    path = tmp_path / "call.wav"
    path.write_bytes(wav_with_tag(tag))
    with pytest.raises(decode.UndecodableMedia) as caught:
        decode.probe(path)
    assert caught.value.code == "undecodable_media"
    assert caught.value.details["reason"] == reason


def test_data_the_decoder_rejects_passes_the_probe_and_fails_decoding(tmp_path: Path) -> None:
    path = tmp_path / "call.wav"
    path.write_bytes(wav_with_tag(WMAV2))
    assert decode.probe(path).codec == "wmav2"
    with pytest.raises(decode.UndecodableMedia) as caught:
        decode.decode(path, max_duration_s=10)
    assert caught.value.code == "undecodable_media"


async def _upload(app: Any, member: Any, project: dict[str, Any], data: bytes) -> Any:
    async with client(app, member) as c:
        return await c.post(
            "/api/workflow/async",
            data={"project_id": project["id"]},
            files={"file": ("call.wav", data, "audio/wav")},
        )


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("tag", "reason"), [(UNKNOWN, "no_decoder"), (G726, "decoder_refused")], ids=["unknown", "g726"]
)
async def test_refused_at_upload(app: Any, tag: int, reason: str) -> None:
    member = await make_user(app.api.state.runtime.db, email="codec@acme.test")
    project = await make_project(app, member)
    r = await _upload(app, member, project, wav_with_tag(tag))
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "undecodable_media"
    assert error["details"]["reason"] == reason
    async with client(app, member) as c:
        listing = (await c.get(f"/api/projects/{project['id']}/interviews")).json()
    assert listing["items"] == []
    files = app.api.state.runtime.files.root
    assert not files.exists() or not [p for p in files.rglob("*") if p.is_file()]


@pytest.mark.slow
@pytest.mark.anyio
async def test_the_job_fails_it_undecodable_with_nothing_half_written(
    app: Any, worker: None
) -> None:
    member = await make_user(app.api.state.runtime.db, email="wma@acme.test")
    project = await make_project(app, member)
    r = await _upload(app, member, project, wav_with_tag(WMAV2))
    assert r.status_code == 202, r.text
    interview_id = r.json()["interview_id"]
    detail = await wait_for_status(app, member, interview_id, {"failed", "completed"}, 120)
    assert detail["status"] == "failed"
    assert detail["error"]["code"] == "undecodable_media", detail["error"]
    assert detail["text"] == ""
    assert detail["analysis"] is None
