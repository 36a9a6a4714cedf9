"""Speaker-labelled lines for the formats that carry speakers as data (subtitles, tables, JSON).

Every line is written as `Speaker: text`, the form `analysis.transcript.parse` reads as a turn.
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
    }
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
