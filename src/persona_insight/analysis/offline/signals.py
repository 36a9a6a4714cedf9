"""Per-sentence evidence shared by findings and sentiment: cues, the question that prompted the
answer, and similarity to each set of example sentences."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from persona_insight.analysis.offline import classifier, cues, examples, stance
from persona_insight.analysis.offline.cues import Cues
from persona_insight.analysis.offline.models import Vectors
from persona_insight.analysis.offline.sentences import Line, Sentence

# How much of a question's invitation reaches the n-th sentence of the answer: the first
# sentences answer the question, later ones drift.
_INVITE_DECAY = (1.0, 0.8, 0.6, 0.5)


@dataclass(slots=True)
class Signals:
    cues: list[Cues]
    invite_pain: np.ndarray
    invite_need: np.ndarray
    # Nearest-example scores; NaN where the sentence was not embedded.
    pain: np.ndarray
    need: np.ndarray
    other: np.ndarray
    positive: np.ndarray
    neutral: np.ndarray
    negative: np.ndarray
    # Learned none / pain / need probabilities (n, 3); NaN rows where not embedded.
    learned: np.ndarray
    stances: list[stance.Stance]


def sentence_cues(sentences: list[Sentence]) -> list[Cues]:
    return [cues.sentence_cues(s.text) for s in sentences]


def invitations(lines: list[Line], sentences: list[Sentence]) -> tuple[np.ndarray, np.ndarray]:
    """For each answer sentence, how much the last question invited a pain point / a need."""
    pain = np.zeros(len(sentences), dtype=np.float32)
    need = np.zeros(len(sentences), dtype=np.float32)
    invite = (0.0, 0.0)
    for line in lines:
        if line.role == "question":
            invite = cues.question_invites(line.cleaned)
            continue
        for position, index in enumerate(line.sentences):
            decay = _INVITE_DECAY[min(position, len(_INVITE_DECAY) - 1)]
            pain[index] = invite[0] * decay
            need[index] = invite[1] * decay
    return pain, need


def compute(
    sentences: list[Sentence],
    sentence_cues: list[Cues],
    invites: tuple[np.ndarray, np.ndarray],
    vectors: Vectors,
    embedded: np.ndarray,
) -> Signals:
    n = len(sentences)
    invite_pain, invite_need = invites
    scores = {name: np.full(n, np.nan, dtype=np.float32) for name in examples.SCORE_NAMES}
    rows = np.flatnonzero(embedded)
    learned = np.full((n, len(classifier.CLASSES)), np.nan, dtype=np.float32)
    if rows.size:
        learned[rows] = classifier.probabilities(vectors[rows])
        bank = examples.bank()
        v = vectors[rows]
        for name in examples.SCORE_NAMES:
            scores[name][rows] = examples.top_mean(v @ getattr(bank, name).T)
    return Signals(
        cues=sentence_cues,
        invite_pain=invite_pain,
        invite_need=invite_need,
        pain=scores["pain"],
        need=scores["need"],
        other=scores["other"],
        positive=scores["positive"],
        neutral=scores["neutral"],
        negative=scores["negative"],
        learned=learned,
        stances=[stance.stance(s.text) for s in sentences],
    )
