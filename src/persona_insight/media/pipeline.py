"""One recording to a timed, speaker-labelled transcript — the function a sandbox child runs.

Decoding, transcription (local model or the `api` engine's HTTP call) and the speaker grouping
all happen in the child, under the sandbox's CPU-time and memory limits; the arguments and the
answer are plain picklable values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt

from persona_insight.media import decode, speakers
from persona_insight.media.decode import SAMPLE_RATE, NoSpeech
from persona_insight.media.engines import api, local
from persona_insight.media.engines.base import Segment, Transcription
from persona_insight.media.progress import ProgressFile

# Quieter than this everywhere (peak amplitude of full scale) is a silent recording.
SILENCE_PEAK = 1e-3
_FRAME_MS = 10
_FRAME = SAMPLE_RATE * _FRAME_MS // 1000
# A window is cut at the quietest moment of its last this many seconds.
CUT_SEARCH_S = 20.0
# The api engine's segments are measured from a buffer at most this far behind the decoding.
KEEP_S = 300.0


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
    """Decoded a window at a time (`decode.stream`): only the window, the segments and each
    segment's voice features are kept, whatever the recording's length."""
    report = ProgressFile(Path(progress_path)) if progress_path else None
    expected_ms = decode.probe(path).duration_ms

    def moved(seconds: float) -> None:
        if report is not None and expected_ms:
            report.write(min(99, int(seconds * 100_000 / expected_ms)))

    if options.engine == "api":
        assert options.api is not None
        heard = _api(path, options, moved)
    else:
        heard = _local(path, options, moved)
    if not heard.segments:
        raise NoSpeech(
            "no speech was found in the recording", details={"duration_ms": heard.duration_ms}
        )
    named, count, confidence = speakers.assign_features(
        heard.segments, heard.features, max_speakers=options.max_speakers
    )
    return Transcription(
        segments=tuple(merge_turns(named)),
        language=heard.language,
        duration_ms=heard.duration_ms,
        engine=options.engine,
        speakers=count,
        speaker_confidence=confidence,
    )


@dataclass(slots=True)
class _Heard:
    segments: list[Segment] = field(default_factory=list)
    features: list[npt.NDArray[np.float64] | None] = field(default_factory=list)
    language: str | None = None
    duration_ms: int = 0

    def add(self, segment: Segment, audio: npt.NDArray[np.float32]) -> None:
        """A segment with `audio` its stretch of the recording: trimmed, its voice measured."""
        trimmed = trim(segment, audio, segment.start_ms)
        first = (trimmed.start_ms - segment.start_ms) * SAMPLE_RATE // 1000
        last = (trimmed.end_ms - segment.start_ms) * SAMPLE_RATE // 1000
        self.segments.append(trimmed)
        self.features.append(speakers.voice_features(audio[first:last]))


def _silent(duration_ms: int, peak: float) -> None:
    if duration_ms < 200 or peak < SILENCE_PEAK:
        raise NoSpeech("the recording is empty or silent", details={"duration_ms": duration_ms})


def windows(path: Path, max_duration_s: float) -> Iterator[tuple[int, npt.NDArray[np.float32]]]:
    """(start in samples, audio) of consecutive windows, each cut at the quietest moment of its
    last CUT_SEARCH_S seconds, so that a word is not split between two transcriptions; the rest
    is carried into the next window."""
    carry = np.zeros(0, dtype=np.float32)
    start = 0
    for piece in decode.stream(path, max_duration_s=max_duration_s):
        buffer = np.concatenate([carry, piece]) if carry.size else piece
        cut = _quietest(buffer)
        yield start, buffer[:cut]
        start += cut
        carry = buffer[cut:]
    if carry.size:
        yield start, carry


def _quietest(audio: npt.NDArray[np.float32]) -> int:
    """The sample index of the quietest 300 ms in the last CUT_SEARCH_S seconds."""
    search = int(CUT_SEARCH_S * SAMPLE_RATE)
    if audio.size <= search * 2:
        return audio.size
    tail = audio[audio.size - search :]
    frames = tail.size // _FRAME
    energy = (tail[: frames * _FRAME].reshape(frames, _FRAME) ** 2).mean(axis=1)
    smooth = np.convolve(energy, np.ones(30) / 30, mode="same")
    return audio.size - search + int(np.argmin(smooth)) * _FRAME + _FRAME // 2


def _local(path: Path, options: Options, moved: Callable[[float], None]) -> _Heard:
    heard = _Heard(language=options.language)
    model = None
    peak = 0.0
    for start, audio in windows(path, options.max_duration_s):
        heard.duration_ms = int((start + audio.size) * 1000 / SAMPLE_RATE)
        loudest = float(np.abs(audio).max(initial=0.0))
        peak = max(peak, loudest)
        if loudest < SILENCE_PEAK:
            moved(heard.duration_ms / 1000)
            continue  # nothing to hear, and Whisper invents words in silence
        if model is None:
            model = local.load(options.model_dir, cpu_threads=options.cpu_threads)
        offset_ms = start * 1000 // SAMPLE_RATE
        found, language = local.transcribe(
            model, audio, language=heard.language, offset_ms=offset_ms, progress=moved
        )
        # The first window's language holds for the rest: one recording, one language.
        heard.language = heard.language or language
        for segment in found:
            first = (segment.start_ms - offset_ms) * SAMPLE_RATE // 1000
            last = (segment.end_ms - offset_ms) * SAMPLE_RATE // 1000
            heard.add(segment, audio[first:last])
    _silent(heard.duration_ms, peak)
    return heard


def _api(path: Path, options: Options, moved: Callable[[float], None]) -> _Heard:
    """The file goes to the API whole; the audio is decoded twice — before, to refuse silence
    without sending it, and after, to trim the segments and measure their voices."""
    assert options.api is not None
    peak, samples = 0.0, 0
    for piece in decode.stream(path, max_duration_s=options.max_duration_s):
        peak = max(peak, float(np.abs(piece).max(initial=0.0)))
        samples += piece.size
    duration_ms = int(samples * 1000 / SAMPLE_RATE)
    _silent(duration_ms, peak)
    found, language = api.transcribe(path, options.api, language=options.language)
    heard = _Heard(language=language, duration_ms=duration_ms)
    for segment, audio in _segment_audio(path, options.max_duration_s, found):
        heard.add(segment, audio)
        moved(segment.end_ms / 1000)
    return heard


def _segment_audio(
    path: Path, max_duration_s: float, segments: list[Segment]
) -> Iterator[tuple[Segment, npt.NDArray[np.float32]]]:
    """Each segment (in order of start) with its audio, from a rolling buffer that keeps only
    what a segment still to come needs (at most KEEP_S seconds behind the decoded end)."""
    ordered = sorted(segments, key=lambda s: (s.start_ms, s.end_ms))
    keep = int(KEEP_S * SAMPLE_RATE)
    buffer = np.zeros(0, dtype=np.float32)
    origin = 0
    done = 0

    def cut(segment: Segment) -> npt.NDArray[np.float32]:
        first = max(0, segment.start_ms * SAMPLE_RATE // 1000 - origin)
        return buffer[first : max(first, segment.end_ms * SAMPLE_RATE // 1000 - origin)]

    for piece in decode.stream(path, max_duration_s=max_duration_s):
        buffer = np.concatenate([buffer, piece])
        end = origin + buffer.size
        while done < len(ordered) and ordered[done].end_ms * SAMPLE_RATE // 1000 <= end:
            yield ordered[done], cut(ordered[done])
            done += 1
        needed = ordered[done].start_ms * SAMPLE_RATE // 1000 if done < len(ordered) else end
        drop = max(needed, end - keep) - origin
        if drop > 0:
            buffer = buffer[drop:].copy()
            origin += drop
    for segment in ordered[done:]:  # past the decoded end: what there is of it
        yield segment, cut(segment)


def trim(segment: Segment, audio: npt.NDArray[np.float32], at_ms: int = 0) -> Segment:
    """The segment without its leading and trailing silence. Whisper's segment times are coarse
    (a turn after a pause measured starting up to 1.3 s early, at the end of the previous one);
    playback from a line should start with its first word."""
    first = (segment.start_ms - at_ms) * SAMPLE_RATE // 1000
    piece = audio[max(0, first) : (segment.end_ms - at_ms) * SAMPLE_RATE // 1000]
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
