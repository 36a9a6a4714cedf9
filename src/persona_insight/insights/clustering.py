"""Grouping finding vectors into themes, without an n × n similarity matrix.

A leader pass (each vector joins the nearest running centroid when it is close enough, else it
starts a cluster) is O(n·k); two rounds of nearest-centroid reassignment then undo the order
dependence of the first pass. Only (chunk × k) similarity blocks are ever held. The input order is
the caller's (it sorts by a stable key), so the same findings always give the same themes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from persona_insight.embeddings import centring

# Cosine similarity of *centred* e5 vectors (see `centre`) above which two findings say the same
# thing. Raw e5 similarities sit between 0.8 and 0.95 for almost any two sentences of one
# language, and a Korean and an English finding about the same thing score below two unrelated
# findings of one language; after centring, 0.32 grouped the demo samples' parallel Korean and
# English findings (e.g. "show the total price from the start") without chaining topics.
THRESHOLD = 0.32
MIN_GROUP = 5
# Too few findings of a language to take its mean out: raw similarity, near-duplicates only.
RAW_THRESHOLD = 0.92
_CHUNK = 4096
_BLOCK = 256
_ROUNDS = 2


@dataclass(frozen=True, slots=True)
class Clusters:
    labels: NDArray[np.intp]  # cluster index per input row
    centroids: NDArray[np.float32]  # (k, d), L2-normalised

    @property
    def count(self) -> int:
        return int(self.centroids.shape[0])

    def members(self) -> list[NDArray[np.intp]]:
        order = np.argsort(self.labels, kind="stable")
        bounds = np.searchsorted(self.labels[order], np.arange(self.count + 1))
        return [order[bounds[i] : bounds[i + 1]] for i in range(self.count)]


def normalise_rows(m: NDArray[np.float32]) -> NDArray[np.float32]:
    return centring.unit_rows(np.asarray(m, dtype=np.float32))


def centre(
    x: NDArray[np.float32], groups: NDArray[np.intp]
) -> tuple[NDArray[np.float32], float, dict[int, NDArray[np.float32]]]:
    """Each language group's mean taken out (embeddings.centring), with the threshold to use
    and the means taken out (for placing findings later in the same space): what is left is
    what the findings say, not the language or register they share. With fewer than MIN_GROUP
    findings in some group the mean is not worth taking; the vectors stay raw (no means)."""
    x = normalise_rows(x)
    _, sizes = np.unique(groups, return_counts=True)
    if x.shape[0] == 0 or int(sizes.min()) < MIN_GROUP:
        return x, RAW_THRESHOLD, {}
    out, means = centring.centre(x, [int(g) for g in groups])
    return out, THRESHOLD, means


def _sums(x: NDArray[np.float32], labels: NDArray[np.intp], k: int) -> NDArray[np.float32]:
    """Per-cluster sums of rows by sorting and `reduceat` (`np.add.at` is ten times slower)."""
    out = np.zeros((k, x.shape[1]), dtype=np.float32)
    if labels.size == 0:
        return out
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    starts = np.flatnonzero(np.r_[True, sorted_labels[1:] != sorted_labels[:-1]])
    out[sorted_labels[starts]] = np.add.reduceat(x[order], starts, axis=0)
    return out


def _leaders(x: NDArray[np.float32], threshold: float) -> NDArray[np.intp]:
    """The leader pass in blocks: a block's similarities to the centroids standing before it
    come from one matrix product (a vector-at-a-time loop spent most of a 20,000-finding
    recompute in small products). Vectors close to a standing centroid join it together; the
    rest go one by one against the leaders their block started. Centroids move once per
    block, and the reassignment rounds that follow settle what that changes."""
    n, d = x.shape
    sums = np.zeros((n, d), dtype=np.float32)
    unit = np.zeros((n, d), dtype=np.float32)
    labels = np.empty(n, dtype=np.intp)
    k = 0
    for start in range(0, n, _BLOCK):
        block = x[start : start + _BLOCK]
        rows = np.arange(block.shape[0])
        if k:
            sims = block @ unit[:k].T
            best = np.argmax(sims, axis=1)
            close = sims[rows, best] >= threshold
        else:
            best = np.zeros(block.shape[0], dtype=np.intp)
            close = np.zeros(block.shape[0], dtype=bool)
        labels[start + rows[close]] = best[close]
        sums[:k] += _sums(block[close], best[close], k)
        first = k
        for i in rows[~close]:
            v = block[i]
            if k > first:
                own = unit[first:k] @ v
                j = int(np.argmax(own))
                if own[j] >= threshold:
                    labels[start + i] = first + j
                    sums[first + j] += v
                    norm = float(np.linalg.norm(sums[first + j])) or 1.0
                    unit[first + j] = sums[first + j] / norm
                    continue
            labels[start + i] = k
            sums[k] = v
            unit[k] = v
            k += 1
        if k:
            unit[:k] = normalise_rows(sums[:k])
    return labels


def _centroids(x: NDArray[np.float32], labels: NDArray[np.intp], k: int) -> NDArray[np.float32]:
    return normalise_rows(_sums(x, labels, k))


def _nearest(
    x: NDArray[np.float32], centroids: NDArray[np.float32]
) -> tuple[NDArray[np.intp], NDArray[np.float32]]:
    best = np.empty(x.shape[0], dtype=np.intp)
    sims = np.empty(x.shape[0], dtype=np.float32)
    for start in range(0, x.shape[0], _CHUNK):
        block = x[start : start + _CHUNK] @ centroids.T
        best[start : start + _CHUNK] = np.argmax(block, axis=1)
        sims[start : start + _CHUNK] = block[
            np.arange(block.shape[0]), best[start : start + _CHUNK]
        ]
    return best, sims


def _compact(labels: NDArray[np.intp]) -> tuple[NDArray[np.intp], int]:
    """Renumber clusters 0..k-1 in order of first appearance (stable across runs)."""
    _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    rank = np.argsort(np.argsort(first))
    return rank[inverse].astype(np.intp), int(first.shape[0])


def cluster(vectors: NDArray[np.float32], threshold: float = THRESHOLD) -> Clusters:
    """Clusters of the rows of `vectors` (any scale; normalised here)."""
    if vectors.ndim != 2 or vectors.shape[0] == 0:
        return Clusters(np.zeros(0, dtype=np.intp), np.zeros((0, 384), dtype=np.float32))
    x = normalise_rows(np.asarray(vectors, dtype=np.float32))
    labels, k = _compact(_leaders(x, threshold))
    for _ in range(_ROUNDS):
        centroids = _centroids(x, labels, k)
        best, sims = _nearest(x, centroids)
        # A vector no centroid is close to any more stays where the leader pass put it rather
        # than being forced into a theme it does not belong to.
        moved = np.where(sims >= threshold, best, labels)
        moved, k2 = _compact(moved)
        if k2 == k and np.array_equal(moved, labels):
            break
        labels, k = moved, k2
    return Clusters(labels, _centroids(x, labels, k))


def medoid(x: NDArray[np.float32], rows: NDArray[np.intp], centroid: NDArray[np.float32]) -> int:
    """The member row closest to the centroid (a real finding, to label the theme with)."""
    sims = x[rows] @ centroid
    return int(rows[int(np.argmax(sims))])


def by_centrality(
    x: NDArray[np.float32], rows: NDArray[np.intp], centroid: NDArray[np.float32]
) -> list[int]:
    """Member rows, most central first (ties by row, so the order is stable)."""
    sims = x[rows] @ centroid
    order = np.lexsort((rows, -sims))
    return [int(rows[i]) for i in order]
