"""How well themes match a labelled reference grouping: the adjusted Rand index, and how often
Korean and English findings of one reference theme land in one theme (tests/insights, bench)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from itertools import combinations


def _pairs(n: int | float) -> float:
    return n * (n - 1) / 2


def adjusted_rand_index(truth: Sequence[Hashable], found: Sequence[Hashable]) -> float:
    """Hubert and Arabie's ARI: 1 for identical groupings, about 0 for chance."""
    if len(truth) != len(found):
        raise ValueError("groupings of different lengths")
    together = sum(_pairs(c) for c in Counter(zip(truth, found, strict=True)).values())
    a = sum(_pairs(c) for c in Counter(truth).values())
    b = sum(_pairs(c) for c in Counter(found).values())
    total = _pairs(len(truth))
    if total == 0:
        return 1.0
    expected = a * b / total
    best = (a + b) / 2
    if best == expected:
        return 1.0
    return (together - expected) / (best - expected)


def cross_language_colocation(
    truth: Sequence[Hashable], found: Sequence[Hashable], korean: Sequence[bool]
) -> tuple[float, int]:
    """Of the (Korean, English) pairs sharing a reference theme, the share that share a found
    theme; and how many such pairs there are."""
    hits = total = 0
    for i, j in combinations(range(len(truth)), 2):
        if truth[i] == truth[j] and korean[i] != korean[j]:
            total += 1
            hits += int(found[i] == found[j])
    return (hits / total if total else 1.0), total
