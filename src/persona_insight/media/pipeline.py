"""One recording to a timed, speaker-labelled transcript — the function a sandbox child runs.

Decoding, transcription (local model or the `api` engine's HTTP call) and the speaker grouping
all happen in the child, under the sandbox's CPU-time and memory limits; the arguments and the
answer are plain picklable values.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt

from persona_insight.media import speakers
from persona_insight.media.decode import SAMPLE_RATE, NoSpeech, decode
from persona_insight.media.engines import api, local
from persona_insight.media.engines.base import Segment, Transcription
from persona_insight.media.progress import ProgressFile

# Quieter than this everywhere (peak amplitude of full scale) is a silent recording.
SILENCE_PEAK = 1e-3
_FRAME_MS = 10
_FRAME = SAMPLE_RATE * _FRAME_MS // 1000


@dataclass(frozen=True, slots=True)
class Options:
    engine: str
    language: str | None
    max_duration_s: float
    model_dir: str = ""
    cpu_threads: int = 2
    max_speakers: int = 2
    api: api.ApiOptions | None = None


def run(path: Path, options: Options, progress_path: str | None = None) -> Transcription:
    report = ProgressFile(Path(progress_path)) if progress_path else None
    audio = decode(path, max_duration_s=options.max_duration_s)
    duration_ms = int(audio.size * 1000 / SAMPLE_RATE)
    if duration_ms < 200 or float(abs(audio).max(initial=0.0)) < SILENCE_PEAK:
        raise NoSpeech("the recording is empty or silent", details={"duration_ms": duration_ms})

    def moved(seconds: float) -> None:
        if report is not None and duration_ms:
            report.write(min(99, int(seconds * 100_000 / duration_ms)))

    if options.engine == "api":
        assert options.api is not None
        segments, language = api.transcribe(path, options.api, language=options.language)
    else:
        segments, language = local.transcribe(
            audio,
            model_dir=options.model_dir,
            language=options.language,
            cpu_threads=options.cpu_threads,
            progress=moved,
        )
    if not segments:
        raise NoSpeech("no speech was found in the recording", details={"duration_ms": duration_ms})
    segments = [trim(s, audio) for s in segments]
    named, count, confidence = speakers.assign(segments, audio, max_speakers=options.max_speakers)
    return Transcription(
        segments=tuple(merge_turns(named)),
        language=language,
        duration_ms=duration_ms,
        engine=options.engine,
        speakers=count,
        speaker_confidence=confidence,
    )


def trim(segment: Segment, audio: npt.NDArray[np.float32]) -> Segment:
    """The segment without its leading and trailing silence. Whisper's segment times are coarse
    (a turn after a pause measured starting up to 1.3 s early, at the end of the previous one);
    playback from a line should start with its first word."""
    first = segment.start_ms * SAMPLE_RATE // 1000
    piece = audio[first : segment.end_ms * SAMPLE_RATE // 1000]
    frames = piece.size // _FRAME
    if frames < 3:
        return segment
    rms = np.sqrt((piece[: frames * _FRAME].reshape(frames, _FRAME) ** 2).mean(axis=1))
    loud = np.flatnonzero(rms >= max(float(rms.max()) * 0.1, SILENCE_PEAK / 4))
    if loud.size == 0:
        return segment
    start = segment.start_ms + int(loud[0]) * _FRAME_MS
    end = min(segment.end_ms, segment.start_ms + (int(loud[-1]) + 1) * _FRAME_MS)
    return replace(segment, start_ms=start, end_ms=max(end, start + _FRAME_MS))


def merge_turns(segments: list[Segment]) -> list[Segment]:
    """Consecutive segments of one speaker become one turn (its start, its last end)."""
    turns: list[Segment] = []
    for seg in segments:
        if turns and turns[-1].speaker == seg.speaker:
            last = turns[-1]
            turns[-1] = replace(last, end_ms=seg.end_ms, text=f"{last.text} {seg.text}")
        else:
            turns.append(seg)
    return turns


def stamp(ms: int) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def to_text(transcription: Transcription) -> str:
    """The transcript as stored: one line per turn, `[start --> end] Speaker n: text`, which the
    transcript parser reads back with each line's `start_ms`/`end_ms`."""
    return "\n".join(
        f"[{stamp(s.start_ms)} --> {stamp(s.end_ms)}] {s.speaker or 'Speaker 1'}: {s.text}"
        for s in transcription.segments
    )
