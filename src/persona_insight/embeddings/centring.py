"""Per-language mean centring of e5 vectors, the one transform persona discovery and insight
themes both apply before cosine clustering (DESIGN §8: vectors have one owner).

multilingual-e5 places texts of one language near each other whatever they say: uncentred, a
Korean and an English text about the same thing score below two unrelated texts of one language,
so clusters split by language before topic (seen on the persona discovery fixture, two clusters
one per language, and on the insight themes' reference set). Taking each language's mean out
leaves what the texts say. With one language it is the usual mean-centring before clustering.
The means are returned so a vector placed later (an incremental theme update) goes through the
same transform as the ones it is compared with (`apply`).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

G = TypeVar("G", bound=Hashable)
F = TypeVar("F", np.float32, np.float64)


def unit_rows(m: NDArray[F]) -> NDArray[F]:
    """Rows scaled to length 1 (a zero row stays zero)."""
    norms = np.linalg.norm(m, axis=-1, keepdims=True)
    out: NDArray[F] = (m / np.where(norms == 0, 1.0, norms)).astype(m.dtype, copy=False)
    return out


def centre(matrix: NDArray[F], groups: Sequence[G]) -> tuple[NDArray[F], dict[G, NDArray[F]]]:
    """The rows (normalised first) with their group's mean taken out, renormalised; and each
    group's mean, for `apply`."""
    x = unit_rows(np.asarray(matrix))
    keys = list(groups)
    if len(keys) != x.shape[0]:
        raise ValueError("one group per row")
    out = x.copy()
    means: dict[G, NDArray[F]] = {}
    for group in dict.fromkeys(keys):
        rows = np.fromiter((k == group for k in keys), dtype=bool, count=len(keys))
        means[group] = x[rows].mean(axis=0)
        out[rows] -= means[group]
    return unit_rows(out), means


def apply(vector: NDArray[F], mean: NDArray[F] | None) -> NDArray[F]:
    """One more vector through the transform `centre` fitted (`mean` of its group; None: the
    group was not centred, the vector is only normalised)."""
    x = unit_rows(np.asarray(vector).reshape(1, -1))
    if mean is not None:
        x = unit_rows(x - mean)
    out: NDArray[F] = x[0]
    return out
