"""What every format reader shares: its result, a bounded text buffer and the error constructors."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from persona_insight.errors import InvalidInput, PayloadTooLarge

# Raw text is normalised once at the end, and normalising only ever shrinks it. A reader stops
# collecting once its raw text is this many times `max_chars`: real documents are nowhere near
# that much whitespace and control characters, and the cap is what keeps a small compressed
# file from expanding into gigabytes of text in memory.
RAW_TEXT_FACTOR = 4
RAW_TEXT_SLACK = 64 * 1024


@dataclass(frozen=True, slots=True)
class Raw:
    """A reader's output before normalisation."""

    text: str
    encoding: str | None = None
    modified: datetime.date | None = None


def malformed(message: str) -> InvalidInput:
    return InvalidInput(message, code="malformed_file")


def undecodable(message: str = "The file is not readable text.") -> InvalidInput:
    return InvalidInput(message, code="undecodable_text")


def too_long(max_chars: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"The extracted text is longer than the limit of {max_chars:,} characters.",
        code="text_too_long",
    )


def bomb(message: str) -> PayloadTooLarge:
    return PayloadTooLarge(message, code="decompression_bomb")


def raw_limit(max_chars: int) -> int:
    return RAW_TEXT_FACTOR * max_chars + RAW_TEXT_SLACK


class TextBuffer:
    """Collects lines, failing with `text_too_long` once they pass the raw-text cap above."""

    __slots__ = ("_limit", "_lines", "_max_chars", "_size")

    def __init__(self, max_chars: int) -> None:
        self._max_chars = max_chars
        self._limit = raw_limit(max_chars)
        self._lines: list[str] = []
        self._size = 0

    def add(self, line: str) -> None:
        self._size += len(line) + 1
        if self._size > self._limit:
            raise too_long(self._max_chars)
        self._lines.append(line)

    def text(self) -> str:
        return "\n".join(self._lines)
