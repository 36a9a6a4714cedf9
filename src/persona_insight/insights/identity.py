"""Theme identity across recomputation: a new cluster takes the id of the old theme that holds
most of its members, so links, notes and researcher edits stay attached to it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import TypeVar
from uuid import UUID

K = TypeVar("K", bound=Hashable)


def carry_ids(
    clusters: Sequence[Sequence[K]],
    previous: Mapping[K, UUID],
    new_id: Callable[[], UUID],
) -> list[UUID]:
    """One id per cluster: an old theme's id where members overlap, greedily by overlap size
    (largest first), each old id used once; a fresh id otherwise."""
    overlaps: list[tuple[int, int, UUID]] = []
    for index, members in enumerate(clusters):
        counts = Counter(previous[m] for m in members if m in previous)
        overlaps.extend((n, index, theme) for theme, n in counts.items())
    # Largest overlap first; ties by cluster index then id, so the result is deterministic.
    overlaps.sort(key=lambda o: (-o[0], o[1], str(o[2])))
    ids: list[UUID | None] = [None] * len(clusters)
    taken: set[UUID] = set()
    for _, index, theme in overlaps:
        if ids[index] is None and theme not in taken:
            ids[index] = theme
            taken.add(theme)
    return [i if i is not None else new_id() for i in ids]
