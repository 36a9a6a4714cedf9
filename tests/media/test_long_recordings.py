"""Long recordings without the model: decoding is window by window (never the whole recording in
memory), windows are cut in a pause, the duration limit holds on what is decoded whatever the
header says, silence and empty recordings fail `no_speech` before any model is loaded, and the
speaker grouping scales to thousands of segments."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from persona_insight.media import decode, pipeline, speakers
from persona_insight.media.engines.base import Segment
from tests.media.speech import wav_bytes

RATE = 16_000


def _bursts(path: Path, seconds: int) -> np.ndarray:
    """1 s tone, 0.5 s pause, repeated: where a window may be cut is known."""
    t = np.arange(RATE) / RATE
    burst = (np.sin(2 * np.pi * 220 * t) * 8000).astype(np.int16)
    unit = np.concatenate([burst, np.zeros(RATE // 2, np.int16)])
    samples = np.tile(unit, seconds * 2 // 3 + 1)[: seconds * RATE]
    path.write_bytes(wav_bytes(samples, RATE))
    return samples


@pytest.fixture(scope="module")
def eleven_minutes(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, np.ndarray]:
    """Made and decoded whole once for the module: longer than two windows (and than KEEP_S)."""
    path = tmp_path_factory.mktemp("long") / "long.wav"
    _bursts(path, 11 * 60)
    return path, decode.decode(path, max_duration_s=3600)


def test_windows_cover_the_recording_and_cut_in_pauses(
    eleven_minutes: tuple[Path, np.ndarray],
) -> None:
    path, whole = eleven_minutes
    pieces = list(pipeline.windows(path, 3600))
    assert len(pieces) >= 3
    assert max(a.size for _, a in pieces) <= (decode.WINDOW_S + pipeline.CUT_SEARCH_S) * RATE
    assert np.array_equal(np.concatenate([a for _, a in pieces]), whole)
    for start, _ in pieces[1:]:
        assert start == sum(a.size for s, a in pieces if s < start)
        assert 1.0 <= (start % (RATE * 3 // 2)) / RATE <= 1.5, start / RATE  # inside a pause


def test_segments_get_their_own_audio_from_a_rolling_buffer(
    eleven_minutes: tuple[Path, np.ndarray],
) -> None:
    path, whole = eleven_minutes
    assert whole.size / RATE > pipeline.KEEP_S  # the buffer must have dropped audio on the way
    segments = [Segment(i * 1500, i * 1500 + 1000, "x") for i in range(440)]
    got = list(pipeline._segment_audio(path, 3600, list(reversed(segments))))
    assert [s for s, _ in got] == segments  # in order of start
    for segment, audio in got:
        assert np.array_equal(audio, whole[segment.start_ms * 16 : segment.end_ms * 16])


def test_the_limit_holds_on_what_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "five.wav"
    _bursts(path, 5)
    with pytest.raises(decode.MediaTooLong) as too_long:
        pipeline.run(path, pipeline.Options("local", "en", 2.0, model_dir=str(tmp_path / "none")))
    assert too_long.value.code == "media_too_long"


@pytest.mark.parametrize("seconds", [0, 3])
def test_silent_or_empty_is_no_speech_without_a_model(tmp_path: Path, seconds: int) -> None:
    path = tmp_path / "quiet.wav"
    path.write_bytes(wav_bytes(np.zeros(RATE * seconds, np.int16), RATE))
    # The model directory does not exist: loading it would fail with another error.
    options = pipeline.Options("local", None, 3600, model_dir=str(tmp_path / "none"))
    with pytest.raises(decode.NoSpeech) as silent:
        pipeline.run(path, options)
    assert silent.value.code == "no_speech"


def test_speaker_grouping_scales(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    count = 3000
    feats = rng.standard_normal((count, 40))
    feats[: count // 2] += 0.8
    segments = [Segment(i * 1000, i * 1000 + 900, "x") for i in range(count)]
    started = time.process_time()
    named, found, confidence = speakers.assign_features(segments, list(feats), max_speakers=3)
    assert time.process_time() - started < 10
    assert found == 2
    assert confidence >= speakers.MIN_SILHOUETTE
    # Both halves mostly on their own side (the two clouds overlap a little).
    first = [s.speaker for s in named[: count // 2]]
    second = [s.speaker for s in named[count // 2 :]]
    mine = max(set(first), key=first.count)
    assert first.count(mine) / len(first) >= 0.95
    assert sum(name != mine for name in second) / len(second) >= 0.95
