"""Model text with [n] markers becomes clean sentences with their citations, however the stream
is cut into deltas."""

from __future__ import annotations

import uuid

import pytest

from persona_insight.chat.engines import Citer
from persona_insight.citations import Citation

A = Citation(interview_id=uuid.uuid4(), line_ids=(3,))
B = Citation(interview_id=uuid.uuid4(), line_ids=(7,))
TEXT = "Slots are always full [1]. I waste time [2][9]. Really! Also [1]"


def run(deltas: list[str]) -> list[tuple[str, list[Citation], bool]]:
    citer = Citer([(A, "a"), (B, "b")])
    pieces = [p for d in deltas for p in citer.feed(d)] + citer.close()
    return [(p.text, p.citations, p.ends_sentence) for p in pieces]


def sentences(pieces: list[tuple[str, list[Citation], bool]]) -> list[tuple[str, list[Citation]]]:
    out: list[tuple[str, list[Citation]]] = []
    text = ""
    for piece, cited, ends in pieces:
        text += piece
        if ends:
            out.append((text.strip(), cited))
            text = ""
    return out


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 40, 1000])
def test_any_chunking_gives_the_same_sentences(size: int) -> None:
    deltas = [TEXT[i : i + size] for i in range(0, len(TEXT), size)]
    assert sentences(run(deltas)) == [
        ("Slots are always full.", [A]),
        ("I waste time.", [B]),  # 9 was never given: dropped
        ("Really!", []),
        ("Also", [A]),
    ]


def test_brackets_that_are_not_markers_stay() -> None:
    said = "".join(text for text, _, _ in run(["A list [see below] and [12345678] stays."]))
    assert said == "A list [see below] and [12345678] stays."
