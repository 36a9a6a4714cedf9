"""Reciprocal rank fusion: one ranking from several, by 1 / (k + rank) summed per item.

Scores of full-text rank and cosine similarity are not comparable; ranks are. k = 60 is the
value of the original paper (Cormack et al., 2009), which damps the weight of the very top;
search passes its own, measured k (search/service.py).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

K = 60
T = TypeVar("T", bound=Hashable)


def fuse(
    rankings: Sequence[Sequence[T]], k: int = K, weights: Sequence[float] | None = None
) -> list[tuple[T, float]]:
    """Items of all rankings, best first, with their fused score (ties: first seen first);
    `weights` scale each ranking's contribution (default 1)."""
    scores: dict[T, float] = {}
    for n, ranking in enumerate(rankings):
        weight = weights[n] if weights is not None else 1.0
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    order = {item: n for n, item in enumerate(scores)}
    return sorted(scores.items(), key=lambda pair: (-pair[1], order[pair[0]]))
