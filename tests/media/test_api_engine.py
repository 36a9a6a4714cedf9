"""The `api` engine against a real faster-whisper-server (PyPI) on 127.0.0.1, configured — not
the client bent — to its ways: it reads the model from a form field `model_name` (whose default
is `whisper-1`) and answers only json/verbose_json, so its YAML names our model `whisper-1`."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from persona_insight.media import pipeline
from persona_insight.media.engines.api import ApiOptions, SpeechApiFailed
from tests.media.speech import INTERVIEW, needs_espeak, speaker_accuracy, synthesize, wer

pytestmark = [needs_espeak, pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def whisper_server(speech_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    pytest.importorskip("faster_whisper_server", reason="faster-whisper-server not installed")
    config = tmp_path_factory.mktemp("fws") / "models.yaml"
    config.write_text(
        "models:\n"
        "  - name: whisper-1\n"
        f"    path: {speech_model}\n"
        "    model_options: {device: cpu, compute_type: int8, cpu_threads: 2}\n"
        "    transcribe_options: {vad_filter: true, condition_on_previous_text: false}\n"
    )
    port = _free_port()
    log = config.with_suffix(".log")
    command = [sys.executable, "-m", "faster_whisper_server", "--config", str(config)]
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [*command, "--host", "127.0.0.1", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if server.poll() is not None:
                pytest.fail(f"faster-whisper-server exited: {log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            pytest.fail("faster-whisper-server did not start in 60 s")
        yield f"{url}/v1"
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()


def test_api_engine_transcribes_two_speakers(whisper_server: str, tmp_path: Path) -> None:
    wav, starts = synthesize(INTERVIEW)
    path = tmp_path / "call.wav"
    path.write_bytes(wav)
    options = pipeline.Options(
        "api", "en", 3600, api=ApiOptions(whisper_server, "whisper-1", api_key="local-test")
    )
    result = pipeline.run(path, options)
    assert result.engine == "api"
    assert result.language == "en"
    reference = " ".join(text for _, text in INTERVIEW)
    assert wer(reference, " ".join(s.text for s in result.segments)) <= 0.15
    ends = [*starts[1:], result.duration_ms]
    found = []
    for a, b in zip(starts, ends, strict=True):
        mid = (a + b) // 2
        found.append(
            next((s.speaker for s in result.segments if s.start_ms - 300 <= mid <= s.end_ms), "?")
        )
    assert speaker_accuracy([v for v, _ in INTERVIEW], found) >= 0.8, result.segments


def test_a_refusal_is_a_clear_failure(whisper_server: str, tmp_path: Path) -> None:
    wav, _ = synthesize(INTERVIEW[:1])
    path = tmp_path / "call.wav"
    path.write_bytes(wav)
    # The server knows no model by this name (it reads `model_name`; unset, it asks for its
    # default `whisper-1`): point the client at a path that does not exist instead.
    options = pipeline.Options(
        "api", "en", 3600, api=ApiOptions(whisper_server + "/nowhere", "whisper-1")
    )
    with pytest.raises(SpeechApiFailed) as failed:
        pipeline.run(path, options)
    assert failed.value.details["status"] == 404
    assert failed.value.details["retryable"] is False
