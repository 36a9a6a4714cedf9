"""What every speech engine answers: timed segments of text, later grouped into speakers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

EngineName = Literal["local", "api"]


@dataclass(frozen=True, slots=True)
class Segment:
    start_ms: int
    end_ms: int
    text: str
    speaker: str = ""


@dataclass(frozen=True, slots=True)
class Transcription:
    segments: tuple[Segment, ...]
    language: str | None
    duration_ms: int
    engine: str
    # How sure the speaker grouping is (0–1), and how many speakers it found.
    speaker_confidence: float = 0.0
    speakers: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)
