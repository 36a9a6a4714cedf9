"""Placing an interviewee on each axis of the framework, by embeddings: for every type, how
close the interviewee's answers come to its description; the best type with its confidence and
the lines that show it, or "unclear" (None) when no type clearly leads. Pure: vectors in,
placements out, so analysis, re-match and the benchmark share it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

import numpy as np

from persona_insight.analysis.contract import InterviewAnalysis

# Mean of the answers closest to a type: a few lines decide where someone sits, the rest of the
# interview (small talk, other topics) must not dilute it.
TOP_LINES = 4
# e5 similarities between a line and two rival descriptions differ by hundredths; this
# temperature turns a lead of ~0.02 into a confidence of ~0.85 between two types.
TEMPERATURE = 0.01
# Below this the axis is "unclear": never forced onto the nearest type.
AXIS_MIN_CONFIDENCE = 0.6
EVIDENCE_LINES = 2
MIN_LINE_CHARS = 12


@dataclass(frozen=True, slots=True)
class TypeRef:
    id: UUID
    text: str  # what the type means, as embedded: "axis: type. description"


@dataclass(frozen=True, slots=True)
class AxisRef:
    id: UUID
    types: tuple[TypeRef, ...]


@dataclass(frozen=True, slots=True)
class Placement:
    axis_id: UUID
    type_id: UUID | None
    confidence: float
    line_ids: list[int]


def type_text(axis_name: str, type_name: str, description: str) -> str:
    return f"{axis_name}: {type_name}. {description}".strip(" .")


def answer_lines(analysis: InterviewAnalysis) -> list[tuple[int, str]]:
    """The interviewee's lines worth judging (first source id, text)."""
    return [
        (line.id[0], line.cleaned_sentence)
        for line in analysis.cleaned_script
        if line.speaker == "answer" and len(line.cleaned_sentence) >= MIN_LINE_CHARS
    ]


def place(
    line_ids: Sequence[int],
    line_vectors: np.ndarray,
    axes: Sequence[AxisRef],
    type_vectors: dict[UUID, np.ndarray],
    *,
    threshold: float = AXIS_MIN_CONFIDENCE,
) -> list[Placement]:
    placements = []
    for axis in axes:
        if not line_ids or not axis.types:
            placements.append(Placement(axis.id, None, 0.0, []))
            continue
        matrix = np.stack([type_vectors[t.id] for t in axis.types])  # (types, dim)
        sims = line_vectors @ matrix.T  # (lines, types)
        k = min(TOP_LINES, len(line_ids))
        scores = np.sort(sims, axis=0)[-k:].mean(axis=0)
        best = int(np.argmax(scores))
        if len(axis.types) == 1:
            confidence = 1.0
        else:
            # How clearly the leader beats the runner-up, as between two types: a softmax over
            # every type let an axis of four spread the confidence over the three it does not
            # pick, so a clear lead was left "unclear" there and not on an axis of two.
            runner_up = float(np.partition(scores, -2)[-2])
            confidence = float(1.0 / (1.0 + np.exp((runner_up - scores[best]) / TEMPERATURE)))
        order = np.argsort(-sims[:, best])[:EVIDENCE_LINES]
        evidence = sorted(int(line_ids[i]) for i in order)
        chosen = axis.types[best].id if confidence >= threshold else None
        placements.append(Placement(axis.id, chosen, round(confidence, 3), evidence))
    return placements
