"""The `local` engine: faster-whisper (CTranslate2, int8) on this machine, in a sandbox child.

`compute_type="int8"`: the model's float32 default measured ~15x slower on this CPU. Whisper's
own voice-activity filter is on, so that silence yields no invented words (Whisper hallucinates
on silence) and a recording with no speech fails as `no_speech`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from persona_insight.media.engines.base import Segment


def load(model_dir: str, *, cpu_threads: int) -> Any:
    """The model, loaded once per recording and used for each of its windows."""
    from faster_whisper import WhisperModel  # type: ignore[import-untyped]

    return WhisperModel(model_dir, device="cpu", compute_type="int8", cpu_threads=cpu_threads)


def transcribe(
    model: Any,
    audio: npt.NDArray[np.float32],
    *,
    language: str | None,
    offset_ms: int = 0,
    beam_size: int = 5,
    progress: Callable[[float], None] | None = None,
) -> tuple[list[Segment], str | None]:
    """Timed segments (from the recording's start: `offset_ms` is where this window begins) of
    16 kHz mono audio, and the language spoken (given or detected)."""
    pieces, info = model.transcribe(
        audio,
        language=language,
        beam_size=beam_size,
        vad_filter=True,
        condition_on_previous_text=False,
    )
    segments: list[Segment] = []
    for piece in pieces:
        text = piece.text.strip()
        if text:
            start = offset_ms + int(piece.start * 1000)
            segments.append(Segment(start, offset_ms + int(piece.end * 1000), text))
        if progress is not None:
            progress(offset_ms / 1000 + piece.end)
    return segments, language or info.language
