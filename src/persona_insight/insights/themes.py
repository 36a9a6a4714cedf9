"""From findings (with their stored vectors) to themes: cluster, keep identity, apply the
researcher's merges and moves, label from the members' own words, pick quote candidates.

Pure: no database. The service loads the inputs and stores what this returns.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from uuid import UUID

import numpy as np
from numpy.typing import NDArray

from persona_insight.insights import clustering
from persona_insight.insights.identity import carry_ids

Key = tuple[UUID, str]  # (interview id, "pain:<i>" | "need:<i>")
QUOTE_CANDIDATES = 12
MAX_LABEL_CHARS = 120
_HANGUL = re.compile("[\uac00-\ud7a3]")


@dataclass(frozen=True, slots=True)
class FindingIn:
    interview_id: UUID
    ref: str
    text: str
    evidence: tuple[int, ...]
    sentiment: str | None
    section: str | None

    @property
    def key(self) -> Key:
        return (self.interview_id, self.ref)

    @property
    def kind(self) -> str:
        return self.ref.split(":", 1)[0]

    @property
    def script(self) -> int:
        """1 for Korean text, 0 otherwise: the group whose mean is taken out before clustering."""
        return 1 if _HANGUL.search(self.text) else 0


@dataclass(slots=True)
class ThemeOutcome:
    id: UUID
    kind: str
    label: str
    members: list[FindingIn]
    # Most central first, one per interview before any second one from the same interview.
    quote_candidates: list[FindingIn] = field(default_factory=list)


def label_of(text: str) -> str:
    """A finding's own words, cut at a word boundary when long (never rewritten)."""
    text = " ".join(text.split())
    if len(text) <= MAX_LABEL_CHARS:
        return text
    cut = text[:MAX_LABEL_CHARS].rsplit(" ", 1)[0]
    return (cut or text[:MAX_LABEL_CHARS]) + "…"


def _spread(ordered: list[FindingIn]) -> list[FindingIn]:
    first: list[FindingIn] = []
    rest: list[FindingIn] = []
    seen: set[UUID] = set()
    for f in ordered:
        if not f.evidence:
            continue
        (rest if f.interview_id in seen else first).append(f)
        seen.add(f.interview_id)
    return (first + rest)[:QUOTE_CANDIDATES]


def build(
    findings: list[FindingIn],
    vectors: NDArray[np.float32],
    *,
    previous: Mapping[Key, UUID],
    merged_into: Mapping[UUID, UUID],
    moves: Mapping[Key, UUID],
    new_id: Callable[[], UUID],
    threshold: float | None = None,
) -> list[ThemeOutcome]:
    """Themes of both kinds; `findings[i]` has vector `vectors[i]`."""
    out: list[ThemeOutcome] = []
    for kind in ("pain", "need"):
        rows = np.array([i for i, f in enumerate(findings) if f.kind == kind], dtype=np.intp)
        if rows.size == 0:
            continue
        scripts = np.array([findings[int(r)].script for r in rows], dtype=np.intp)
        x, fitting, _ = clustering.centre(vectors[rows], scripts)
        found = clustering.cluster(x, threshold if threshold is not None else fitting)
        groups = found.members()
        ids = carry_ids([[findings[int(rows[j])].key for j in g] for g in groups], previous, new_id)
        by_id: dict[UUID, ThemeOutcome] = {}
        for theme_id, group, centroid in zip(ids, groups, found.centroids, strict=True):
            ordered = [findings[int(rows[j])] for j in clustering.by_centrality(x, group, centroid)]
            # A theme the researcher merged into another gives its members to it.
            target = merged_into.get(theme_id, theme_id)
            seen: set[UUID] = set()
            while target in merged_into and target not in seen:
                seen.add(target)
                target = merged_into[target]
            theme = by_id.get(target)
            if theme is None:
                theme = by_id[target] = ThemeOutcome(target, kind, label_of(ordered[0].text), [])
            theme.members.extend(ordered)
        # Moved findings go where the researcher put them, if that theme still exists.
        for theme in by_id.values():
            kept = []
            for f in theme.members:
                dest = moves.get(f.key)
                if dest is not None and dest != theme.id and dest in by_id:
                    by_id[dest].members.append(f)
                else:
                    kept.append(f)
            theme.members = kept
        for theme in by_id.values():
            if theme.members:
                theme.quote_candidates = _spread(theme.members)
                out.append(theme)
    return out
