"""Split a transcript into runs of whole turns that fit the model's context budget.

Turns are never cut in two, so every line id reaches exactly one chunk unchanged. A single turn
longer than the budget travels alone, its text shortened for the prompt only (the script keeps it
whole).
"""

from __future__ import annotations

from dataclasses import dataclass

from persona_insight.analysis.transcript import Transcript, Turn

_ELLIPSIS = " …"


@dataclass(frozen=True, slots=True)
class Chunk:
    index: int
    count: int
    turns: tuple[Turn, ...]

    @property
    def ids(self) -> list[int]:
        return [t.id for t in self.turns]

    @property
    def first_id(self) -> int:
        return self.turns[0].id

    @property
    def last_id(self) -> int:
        return self.turns[-1].id


def turn_line(turn: Turn) -> str:
    """The numbered form of one turn, as `Transcript.numbered()` writes it."""
    return Transcript(turns=(turn,), labelled=True).numbered()


def _fit(turn: Turn, max_chars: int) -> Turn:
    overhead = len(turn_line(turn)) - len(turn.text)
    room = max(max_chars - overhead - len(_ELLIPSIS), 1)
    if len(turn.text) <= room:
        return turn
    return Turn(id=turn.id, role=turn.role, speaker=turn.speaker, text=turn.text[:room] + _ELLIPSIS)


def split(transcript: Transcript, max_chars: int) -> list[Chunk]:
    """Consecutive turns grouped so each group's numbered text stays within `max_chars`."""
    groups: list[list[Turn]] = []
    current: list[Turn] = []
    size = 0
    for turn in transcript.turns:
        fitted = _fit(turn, max_chars)
        cost = len(turn_line(fitted)) + 1
        if current and size + cost > max_chars:
            groups.append(current)
            current, size = [], 0
        current.append(fitted)
        size += cost
    if current:
        groups.append(current)
    return [Chunk(index=i, count=len(groups), turns=tuple(g)) for i, g in enumerate(groups)]


def halve(chunk: Chunk) -> tuple[Chunk, Chunk] | None:
    """Two smaller chunks for a retry after the answer ran out of room; None if it cannot split."""
    if len(chunk.turns) < 2:
        return None
    middle = len(chunk.turns) // 2
    return (
        Chunk(index=chunk.index, count=chunk.count, turns=chunk.turns[:middle]),
        Chunk(index=chunk.index, count=chunk.count, turns=chunk.turns[middle:]),
    )
