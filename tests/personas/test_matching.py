"""Placement confidence is how clearly the leading type beats the runner-up, whatever the number
of types: an axis of four must not call a clear lead "unclear" that an axis of two would take."""

from __future__ import annotations

import uuid

import numpy as np

from persona_insight.personas import matching
from persona_insight.personas.matching import AxisRef, TypeRef


def _axis(n: int) -> tuple[AxisRef, dict[uuid.UUID, np.ndarray]]:
    types = tuple(TypeRef(uuid.uuid4(), f"type {i}") for i in range(n))
    vectors = {t.id: np.eye(8)[i] for i, t in enumerate(types)}
    return AxisRef(uuid.uuid4(), types), vectors


def _line(lead: float, n: int) -> np.ndarray:
    """A line whose similarity to type 0 is `lead` above its (equal) similarity to the others."""
    vector = np.full(8, 0.0)
    vector[:n] = 0.3
    vector[0] += lead
    return vector


def test_a_clear_lead_is_confident_on_four_types_as_on_two() -> None:
    for n in (2, 4):
        axis, vectors = _axis(n)
        placed = matching.place([1], _line(0.015, n)[None, :], [axis], vectors)[0]
        # before: a softmax over all four gave 0.60 (unclear at the 0.6 threshold), two gave 0.82
        assert placed.type_id == axis.types[0].id, (n, placed.confidence)
        assert placed.confidence == 0.818


def test_no_lead_stays_unclear() -> None:
    axis, vectors = _axis(4)
    placed = matching.place([1], _line(0.0, 4)[None, :], [axis], vectors)[0]
    assert placed.type_id is None
    assert placed.confidence == 0.5
