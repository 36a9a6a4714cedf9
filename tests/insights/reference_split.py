"""The fixed split of reference_themes.json into a tune half and a held-out half, decided before
any tuning result was looked at: by the SHA-256 of the item's source interview (`source`), so
all findings of one interview fall in one half and tuning never sees a held-out interview.
Clustering is tuned on "tune" only; both halves are reported (docs/benchmarks.md)."""

from __future__ import annotations

import hashlib
from typing import Literal

Half = Literal["tune", "held-out"]


def half_of(source: str) -> Half:
    return "tune" if hashlib.sha256(source.encode()).digest()[0] % 2 == 0 else "held-out"
