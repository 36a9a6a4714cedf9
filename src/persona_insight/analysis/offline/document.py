"""One interview as the modules see it: lines, sentences, and the embedded sentence vectors."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from persona_insight.analysis.offline.language import InterviewLang, Lang
from persona_insight.analysis.offline.models import Vectors
from persona_insight.analysis.offline.sentences import Line, Sentence


@dataclass(slots=True)
class Document:
    lines: list[Line]
    sentences: list[Sentence]
    language: InterviewLang
    # Language generated text (questions, assessments) is written in.
    out_lang: Lang
    # One row per sentence; rows of sentences that were not embedded are zero.
    vectors: Vectors
    embedded: np.ndarray  # bool mask over sentences
    _by_turn: dict[int, Line] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_turn = {line.turn_id: line for line in self.lines}

    @property
    def answers(self) -> list[Sentence]:
        return [s for s in self.sentences if s.role == "answer"]

    def line(self, turn_id: int) -> Line:
        return self._by_turn[turn_id]

    def sentence_vectors(self, indices: list[int]) -> Vectors:
        return self.vectors[np.asarray(indices, dtype=np.int64)]

    def embedded_answers(self) -> list[int]:
        return [s.index for s in self.sentences if s.role == "answer" and self.embedded[s.index]]
