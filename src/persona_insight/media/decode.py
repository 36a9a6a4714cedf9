"""Reading untrusted media with PyAV (FFmpeg): what a file is, and its audio as 16 kHz mono.

Runs only in a sandbox child (`ingest/sandbox.py`): FFmpeg's demuxers and decoders are C code fed
hostile bytes, so the kernel's CPU and memory limits apply and a crash costs one child.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from persona_insight.errors import InvalidInput

SAMPLE_RATE = 16_000
# Decoded audio is handled this many seconds at a time (~19 MB as float32).
WINDOW_S = 300.0


class UndecodableMedia(InvalidInput):
    code = "undecodable_media"


class MediaTooLong(InvalidInput):
    code = "media_too_long"


class NoSpeech(InvalidInput):
    code = "no_speech"


@dataclass(frozen=True, slots=True)
class MediaInfo:
    duration_ms: int
    container: str
    codec: str
    has_video: bool


def probe(path: Path) -> MediaInfo:
    """The container's audio stream and duration, without decoding; refuses what is not media."""
    import av

    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            audio = [s for s in container.streams if s.type == "audio"]
            if not audio:
                raise UndecodableMedia(
                    "the file has no audio track", details={"reason": "no_audio"}
                )
            stream = audio[0]
            _check_decoder(stream)
            duration_s = 0.0
            if stream.duration is not None and stream.time_base is not None:
                duration_s = float(stream.duration * stream.time_base)
            elif container.duration is not None:
                duration_s = container.duration / av.time_base
            codec = stream.codec_context.name if stream.codec_context else ""
            return MediaInfo(
                duration_ms=int(duration_s * 1000),
                container=container.format.name,
                codec=codec or "",
                has_video=any(s.type == "video" for s in container.streams),
            )
    except av.FFmpegError as exc:
        raise UndecodableMedia(
            "the file is not audio or video this server can read",
            details={"reason": type(exc).__name__},
        ) from None


def _check_decoder(stream: Any) -> None:
    """Refuse a track this FFmpeg build has no working decoder for, which the header alone
    tells: an unknown format tag (PyAV gives no codec context) or a decoder that will not open
    with the parameters declared (e.g. G.726 without its bit depth). Opening costs no decoding;
    data that only fails once decoded is the job's to find."""
    import av

    context = stream.codec_context
    if context is None:
        raise UndecodableMedia(
            "the recording's audio codec cannot be decoded here",
            details={"reason": "no_decoder"},
        )
    try:
        context.open()
    except av.FFmpegError:
        raise UndecodableMedia(
            f"the recording's audio codec ({context.name}) cannot be decoded as declared",
            details={"reason": "decoder_refused", "codec": context.name},
        ) from None


def stream(
    path: Path, *, max_duration_s: float, window_s: float = WINDOW_S
) -> Iterator[npt.NDArray[np.float32]]:
    """The first audio track as 16 kHz mono float32, in consecutive windows of `window_s` (the
    last one shorter). Only one window is held: a four-hour recording would be ~0.9 GB whole.
    Stops with `MediaTooLong` past `max_duration_s` (a header may lie about the duration, so the
    limit is enforced on what is actually decoded)."""
    import av

    size = max(1, int(window_s * SAMPLE_RATE))
    limit = int(max_duration_s * SAMPLE_RATE)
    window = np.empty(size, dtype=np.float32)
    filled = 0
    total = 0
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise UndecodableMedia(
                    "the file has no audio track", details={"reason": "no_audio"}
                )
            resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
            frames = itertools.chain(container.decode(audio=0), [None])
            for frame in frames:
                for out in resampler.resample(frame):
                    samples = out.to_ndarray().reshape(-1).astype(np.float32, copy=False)
                    total += samples.size
                    if total > limit:
                        raise MediaTooLong(
                            f"the recording is longer than the limit of "
                            f"{max_duration_s / 3600:g} h",
                            details={"limit_s": max_duration_s},
                        )
                    while samples.size:
                        take = min(size - filled, samples.size)
                        window[filled : filled + take] = samples[:take]
                        filled += take
                        samples = samples[take:]
                        if filled == size:
                            yield window.copy()
                            filled = 0
    except av.FFmpegError as exc:
        raise UndecodableMedia(
            "the recording could not be decoded", details={"reason": type(exc).__name__}
        ) from None
    if filled:
        yield window[:filled].copy()


def decode(path: Path, *, max_duration_s: float) -> npt.NDArray[np.float32]:
    """The whole recording at once: for short clips (tests, the benchmark's references)."""
    pieces = list(stream(path, max_duration_s=max_duration_s))
    return np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
