"""Which uploads are recordings: by extension, confirmed by PyAV in the sandbox."""

from __future__ import annotations

from pathlib import PurePath
from typing import Final

MEDIA_TYPES: Final[dict[str, str]] = {
    ".mp3": "audio/mpeg",
    ".mpga": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".wav": "audio/wav",
    ".webm": "audio/webm",
    ".ogg": "audio/ogg",
    ".opus": "audio/ogg",
    ".flac": "audio/flac",
    ".amr": "audio/amr",
    ".mp4": "video/mp4",
    ".mov": "video/quicktime",
}


def media_type(name: str) -> str | None:
    """The media type of a recording's file name, None if it is not one we take."""
    return MEDIA_TYPES.get(PurePath(name).suffix.lower())


def is_video(media_type: str | None) -> bool:
    return bool(media_type and media_type.startswith("video/"))
