"""Speaker-labelled lines for the formats that carry speakers as data (subtitles, tables, JSON).

Every line is written as `Speaker: text`, the form `analysis.transcript.parse` reads as a turn,
after its `[start --> end]` time span when the format has one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

SPEAKER_FIELDS = frozenset(
    {
        "speaker",
        "speaker name",
        "speakername",
        "speaker label",
        "role",
        "name",
        "author",
        "화자",
        "발화자",
        "이름",
        "역할",
        "구분",
        "화자명",
    }
)
# A column of times beside the speaker and text columns (`시간 | 화자 | 내용`).
TIME_FIELDS = frozenset(
    {"time", "timestamp", "start", "start time", "시간", "타임코드", "타임스탬프", "시작", "시각"}
)
TEXT_FIELDS = frozenset(
    {
        "text",
        "utterance",
        "content",
        "message",
        "body",
        "transcript",
        "sentence",
        "내용",
        "발화",
        "발화 내용",
        "발화내용",
        "대화",
        "대화 내용",
        "텍스트",
        "문장",
    }
)
# parse() refuses labels containing sentence punctuation or colons, and labels over 31 chars.
_LABEL_BREAKERS = re.compile(r"[:：?!.。,]+")
_SPACES = re.compile(r"\s+")
MAX_LABEL = 30


def field_key(name: object) -> str:
    """A header or JSON key compared loosely: `Speaker_Name`, `speaker-name` → `speaker name`."""
    return _SPACES.sub(" ", str(name).replace("_", " ").replace("-", " ")).strip().lower()


def find_columns(header: Sequence[str]) -> tuple[int, int] | None:
    """(speaker column, text column) when a header row names both, else None."""
    keys = [field_key(cell) for cell in header]
    speaker = next((i for i, key in enumerate(keys) if key in SPEAKER_FIELDS), None)
    text = next((i for i, key in enumerate(keys) if key in TEXT_FIELDS), None)
    if speaker is None or text is None or speaker == text:
        return None
    return speaker, text


def time_column(header: Sequence[str]) -> int | None:
    keys = [field_key(cell) for cell in header]
    return next((i for i, key in enumerate(keys) if key in TIME_FIELDS), None)


def label(value: object) -> str | None:
    """A speaker name that parse() will accept as a label, or None when there is none."""
    if value is None or isinstance(value, bool):
        return None
    name = _LABEL_BREAKERS.sub(" ", str(value))
    name = _SPACES.sub(" ", name).strip(" *_[]()-")
    if not name:
        return None
    if name[0].isdigit():
        # Diarisation output numbers its speakers (0, 1, …); a bare number is not a label.
        name = f"Speaker {name}"
    return name[:MAX_LABEL].rstrip()


def squash(text: str) -> str:
    """One line of text: a newline inside a turn would otherwise start a new one."""
    return _SPACES.sub(" ", text).strip()


def turn_line(speaker: str | None, text: str) -> str:
    text = squash(text)
    return f"{speaker}: {text}" if speaker else text


def stamp(ms: int) -> str:
    """`hh:mm:ss.mmm`, the timestamp form the transcript parser reads back exactly."""
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


# Timestamps read back with two-digit hours; a caption file may claim more (WebVTT allows ten
# digits), which no interview lasts, so such a line goes without its time.
MAX_STAMP_MS = 100 * 3_600_000 - 1


def timed_line(start_ms: int, end_ms: int, speaker: str | None, text: str) -> str:
    """A turn line with its time span: `[00:00:01.000 --> 00:00:04.500] Speaker: text`."""
    if not 0 <= start_ms <= end_ms <= MAX_STAMP_MS:
        return turn_line(speaker, text)
    return f"[{stamp(start_ms)} --> {stamp(end_ms)}] {turn_line(speaker, text)}"
