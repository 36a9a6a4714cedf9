"""Reading untrusted media with PyAV (FFmpeg): what a file is, and its audio as 16 kHz mono.

Runs only in a sandbox child (`ingest/sandbox.py`): FFmpeg's demuxers and decoders are C code fed
hostile bytes, so the kernel's CPU and memory limits apply and a crash costs one child.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from persona_insight.errors import InvalidInput

SAMPLE_RATE = 16_000


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


def decode(path: Path, *, max_duration_s: float) -> npt.NDArray[np.float32]:
    """The first audio track as 16 kHz mono float32; stops at `max_duration_s` (a header may lie
    about the duration, so the limit is enforced on what is actually decoded)."""
    import av

    limit = int(max_duration_s * SAMPLE_RATE)
    chunks: list[npt.NDArray[np.float32]] = []
    total = 0
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise UndecodableMedia(
                    "the file has no audio track", details={"reason": "no_audio"}
                )
            resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
            for frame in container.decode(audio=0):
                for out in resampler.resample(frame):
                    chunk = out.to_ndarray().reshape(-1).astype(np.float32, copy=False)
                    chunks.append(chunk)
                    total += chunk.size
                if total > limit:
                    raise MediaTooLong(
                        f"the recording is longer than the limit of {max_duration_s / 3600:g} h",
                        details={"limit_s": max_duration_s},
                    )
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1).astype(np.float32, copy=False))
    except av.FFmpegError as exc:
        raise UndecodableMedia(
            "the recording could not be decoded", details={"reason": type(exc).__name__}
        ) from None
    if not chunks:
        return np.zeros(0, dtype=np.float32)
    return np.concatenate(chunks)
