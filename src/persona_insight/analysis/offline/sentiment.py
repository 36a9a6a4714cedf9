"""Sentiment of each answer line, from its sentences' nearest examples and cue words."""

from __future__ import annotations

import numpy as np

from persona_insight.analysis.contract import Sentiment
from persona_insight.analysis.offline.document import Document
from persona_insight.analysis.offline.signals import Signals

CUE_WEIGHT = 0.04
# Neutral wins unless a polar class is clearly closer: most interview sentences are factual.
NEUTRAL_PRIOR = 0.01
LINE_MARGIN = 0.01
# A pain-point sentence is negative even when it is phrased calmly ("the fee rules aren't shown").
PAIN_PUSH = 0.03


def sentence_polarity(doc: Document, sig: Signals, pain_sentences: set[int]) -> np.ndarray:
    """Signed polarity per sentence: > 0 positive, < 0 negative, 0 neutral."""
    out = np.zeros(len(doc.sentences), dtype=np.float32)
    for s in doc.sentences:
        if s.role != "answer":
            continue
        cue = sig.cues[s.index]
        if doc.embedded[s.index]:
            pos = float(sig.positive[s.index]) + CUE_WEIGHT * cue.positive
            neg = float(sig.negative[s.index]) + CUE_WEIGHT * cue.negative
            if s.index in pain_sentences:
                neg += PAIN_PUSH
            neu = float(sig.neutral[s.index]) + NEUTRAL_PRIOR
            if max(pos, neg) > neu:
                out[s.index] = pos - neg
        else:
            value = cue.positive - cue.negative - (1.0 if s.index in pain_sentences else 0.0)
            out[s.index] = CUE_WEIGHT * float(np.clip(value, -1.0, 1.0))
    return out


def line_sentiments(doc: Document, polarity: np.ndarray) -> dict[int, Sentiment]:
    """Sentiment per answer turn: the length-weighted polarity of its sentences."""
    result: dict[int, Sentiment] = {}
    for line in doc.lines:
        if line.role != "answer":
            continue
        if not line.sentences:
            result[line.turn_id] = "neutral"
            continue
        weights = np.array([len(doc.sentences[i].text) for i in line.sentences], dtype=np.float32)
        value = float((polarity[line.sentences] * weights).sum() / max(weights.sum(), 1.0))
        if value > LINE_MARGIN / 2:
            result[line.turn_id] = "positive"
        elif value < -LINE_MARGIN / 2:
            result[line.turn_id] = "negative"
        else:
            result[line.turn_id] = "neutral"
    return result
