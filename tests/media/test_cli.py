"""`persona-insight transcribe FILE` prints the transcript with times and speakers, no database;
a file that is not a recording exits non-zero with its code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.media.speech import INTERVIEW, needs_espeak, synthesize

pytestmark = [needs_espeak, pytest.mark.slow]


def _run(tmp_path: Path, model: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PERSONA_INSIGHT_DATA_DIR": str(tmp_path / "data"),
        "PERSONA_INSIGHT_SPEECH_MODEL_DIR": str(model),
    }
    return subprocess.run(
        [sys.executable, "-m", "persona_insight", "transcribe", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def test_transcribe_prints_times_and_speakers(speech_model: Path, tmp_path: Path) -> None:
    wav, _ = synthesize(INTERVIEW[:4])
    path = tmp_path / "call.wav"
    path.write_bytes(wav)
    done = _run(tmp_path, speech_model, str(path), "--language", "en")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[0].startswith("[00:00:00.")
    assert "Speaker 1:" in lines[0]
    assert any("Speaker 2:" in line for line in lines)
    assert "notebook" in done.stdout.lower()

    as_json = _run(tmp_path, speech_model, str(path), "--language", "en", "--json")
    assert as_json.returncode == 0, as_json.stderr
    body = json.loads(as_json.stdout)
    assert body["speakers"] == 2
    assert body["engine"] == "local"
    assert all(s["end_ms"] > s["start_ms"] for s in body["segments"])


def test_not_a_recording_exits_with_its_code(speech_model: Path, tmp_path: Path) -> None:
    path = tmp_path / "notes.mp3"
    path.write_text("just text " * 100)
    done = _run(tmp_path, speech_model, str(path))
    assert done.returncode != 0
    assert "undecodable_media" in done.stderr
