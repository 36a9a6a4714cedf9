"""Speech made on this machine by Debian's espeak-ng, and the measures the tests judge it by."""

from __future__ import annotations

import io
import itertools
import re
import shutil
import subprocess
import wave
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

ESPEAK = shutil.which("espeak-ng")
needs_espeak = pytest.mark.skipif(ESPEAK is None, reason="espeak-ng is not installed (apt)")

# Two voices: the interviewer (default male American voice) and the interviewee (a female
# variant), each turn followed by 0.8 s of silence.
INTERVIEWER = "en-us"
INTERVIEWEE = "en-us+f3"
INTERVIEW: tuple[tuple[str, str], ...] = (
    (INTERVIEWER, "Hello, thank you for joining today. How do you plan your weekly groceries?"),
    (INTERVIEWEE, "I write a list in a notebook, but it is slow and I often forget items."),
    (INTERVIEWER, "What happens when you forget something at the store?"),
    (INTERVIEWEE, "I have to drive back again, which wastes my time. I wish the app reminded me."),
    (INTERVIEWER, "Is there anything else that frustrates you?"),
    (INTERVIEWEE, "The prices change every week and I cannot compare them between shops."),
)


def synthesize(
    turns: Sequence[tuple[str, str]], *, pause_s: float = 0.8
) -> tuple[bytes, list[int]]:
    """A mono 16-bit WAV of the turns, and each turn's start in milliseconds."""
    assert ESPEAK is not None
    pieces: list[np.ndarray] = []
    starts: list[int] = []
    rate = 22050
    at = 0
    for voice, text in turns:
        out = subprocess.run(
            [ESPEAK, "-v", voice, "-s", "150", "--stdout", text],
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout
        with wave.open(io.BytesIO(out)) as w:
            rate = w.getframerate()
            samples = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
        starts.append(at * 1000 // rate)
        pieces += [samples, np.zeros(int(rate * pause_s), dtype=np.int16)]
        at += samples.size + int(rate * pause_s)
    return wav_bytes(np.concatenate(pieces), rate), starts


def wav_bytes(samples: np.ndarray, rate: int) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.astype(np.int16).tobytes())
    return buf.getvalue()


# container format, codec, file suffix — every accepted type that PyAV can write here.
CONTAINERS: dict[str, tuple[str, str]] = {
    ".wav": ("wav", "pcm_s16le"),
    ".mp3": ("mp3", "libmp3lame"),
    ".flac": ("flac", "flac"),
    ".ogg": ("ogg", "libvorbis"),
    ".opus": ("ogg", "libopus"),
    ".webm": ("webm", "libopus"),
    ".m4a": ("ipod", "aac"),
    ".mp4": ("mp4", "aac"),
    ".mov": ("mov", "aac"),
    ".amr": ("amr", "libopencore_amrnb"),
}


def encode(wav: bytes, suffix: str, tmp: Path) -> Path:
    """The WAV re-encoded into `suffix`'s container with PyAV; skips when this build lacks the
    encoder (the reason is shown)."""
    import av

    fmt, codec = CONTAINERS[suffix]
    target = tmp / f"interview{suffix}"
    if suffix == ".wav":
        target.write_bytes(wav)
        return target
    layout, options = "mono", {}
    if codec == "libvorbis" and not _can_write(codec):
        # FFmpeg's own Vorbis encoder: marked experimental and writes only stereo.
        codec, layout, options = "vorbis", "stereo", {"strict": "experimental"}
    if not _can_write(codec):
        pytest.skip(f"PyAV here cannot write {codec} for {suffix}")
    rate = 8000 if suffix == ".amr" else 48000 if codec == "libopus" else 22050
    with av.open(io.BytesIO(wav)) as src, av.open(str(target), "w", format=fmt) as out:
        stream = out.add_stream(codec, rate=rate)
        stream.layout = layout  # type: ignore[union-attr]
        stream.codec_context.options = options
        resampler = av.AudioResampler(
            format=stream.codec_context.format.name,  # type: ignore[union-attr]
            layout=layout,
            rate=rate,
        )
        for frame in src.decode(audio=0):
            frame.pts = None
            for piece in resampler.resample(frame):
                out.mux(stream.encode(piece))  # type: ignore[union-attr]
        for piece in resampler.resample(None):
            out.mux(stream.encode(piece))  # type: ignore[union-attr]
        out.mux(stream.encode(None))  # type: ignore[union-attr]
    return target


def _can_write(codec: str) -> bool:
    import av

    try:
        av.codec.Codec(codec, "w")
    except Exception:
        return False
    return True


_WORD = re.compile(r"[a-z0-9']+")


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate: word-level edit distance over the reference's length."""
    ref, hyp = words(reference), words(hypothesis)
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1] / max(1, len(ref))


def speaker_accuracy(truth: Sequence[str], found: Sequence[str]) -> float:
    """Share of turns with the right speaker under the best mapping of found labels to true."""
    labels = sorted(set(found))
    voices = sorted(set(truth))
    best = 0
    for perm in itertools.permutations(voices, min(len(voices), len(labels))):
        mapping = dict(zip(labels, perm, strict=False))
        best = max(best, sum(mapping.get(f) == t for f, t in zip(found, truth, strict=True)))
    return best / max(1, len(truth))
