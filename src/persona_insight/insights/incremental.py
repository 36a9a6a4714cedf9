"""Placing one more interview's findings into standing themes without a full recomputation.

A full recomputation leaves a `Model`: each theme's centroid in the centred space it was
clustered in, the language means it took out, and the inputs it saw. An update then costs one
(new findings × themes) product: a finding joins the nearest theme of its kind when it is close
enough, else it starts a theme of its own. Centroids drift as findings are added this way, so the
service runs a full recomputation once the added findings pass DRIFT of those the model was
fitted on (and, debounced, after every update).

Pure: no database. The service stores the model as bytes in the project's insight state.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from uuid import UUID

import numpy as np
from numpy.typing import NDArray

from persona_insight.embeddings import centring
from persona_insight.insights import clustering
from persona_insight.insights.themes import FindingIn, ThemeOutcome, label_of

KINDS = ("pain", "need")
# Share of findings added incrementally since the last full recomputation above which the next
# change recomputes in full (the centroids no longer describe what they were fitted on).
DRIFT = 0.1
# More new interviews than this at once (a bulk upload): recompute in full.
MAX_NEW_INTERVIEWS = 20


@dataclass(slots=True)
class Model:
    theme_ids: list[UUID]
    kinds: list[str]
    centroids: NDArray[np.float32]  # (themes, d), L2-normalised, centred space
    counts: NDArray[np.int64]  # members per theme
    # (kind, script) → mean taken out; absent when the kind was clustered raw (too few findings)
    means: dict[tuple[str, int], NDArray[np.float32]]
    thresholds: dict[str, float]
    edit_version: int
    marks: dict[UUID, str]  # the inputs' marks it was built from
    fitted_findings: int
    added_findings: int = 0

    def drifted(self) -> bool:
        return self.added_findings > DRIFT * max(self.fitted_findings, 1)

    def covers(self, f: FindingIn) -> bool:
        """False for a finding in a language its kind was not centred for (the first Korean
        interview of an English project): placing it would compare uncentred with centred."""
        centred = any(kind == f.kind for kind, _ in self.means)
        return not centred or (f.kind, f.script) in self.means


def fit(
    findings: Sequence[FindingIn],
    vectors: NDArray[np.float32],
    outcomes: Sequence[ThemeOutcome],
    *,
    edit_version: int,
    marks: Mapping[UUID, str],
) -> Model:
    """The model of a full recomputation's result: centroids of the themes as they were stored
    (after the researcher's merges and moves), in the space their kind was clustered in."""
    row_of = {f.key: i for i, f in enumerate(findings)}
    centred = np.zeros_like(vectors, dtype=np.float32)
    means: dict[tuple[str, int], NDArray[np.float32]] = {}
    thresholds: dict[str, float] = {}
    for kind in KINDS:
        rows = np.array([i for i, f in enumerate(findings) if f.kind == kind], dtype=np.intp)
        if rows.size == 0:
            thresholds[kind] = clustering.THRESHOLD
            continue
        scripts = np.array([findings[int(r)].script for r in rows], dtype=np.intp)
        x, thresholds[kind], kind_means = clustering.centre(vectors[rows], scripts)
        centred[rows] = x
        means.update(((kind, script), mean) for script, mean in kind_means.items())
    ids: list[UUID] = []
    kinds: list[str] = []
    sums = np.zeros((len(outcomes), vectors.shape[1] if vectors.ndim == 2 else 0), np.float32)
    counts = np.zeros(len(outcomes), dtype=np.int64)
    for t, outcome in enumerate(outcomes):
        ids.append(outcome.id)
        kinds.append(outcome.kind)
        members = [row_of[f.key] for f in outcome.members if f.key in row_of]
        sums[t] = centred[members].sum(axis=0) if members else 0.0
        counts[t] = len(members)
    return Model(
        theme_ids=ids,
        kinds=kinds,
        centroids=clustering.normalise_rows(sums),
        counts=counts,
        means=means,
        thresholds=thresholds,
        edit_version=edit_version,
        marks=dict(marks),
        fitted_findings=len(findings),
    )


@dataclass(frozen=True, slots=True)
class Placement:
    theme_id: UUID
    finding: FindingIn
    new_theme: ThemeOutcome | None  # set when the finding started a theme


def place(
    model: Model,
    findings: Sequence[FindingIn],
    vectors: NDArray[np.float32],
    *,
    new_id: Callable[[], UUID],
) -> list[Placement]:
    """Each new finding's theme; the model's centroids and counts move with them."""
    out: list[Placement] = []
    for f, v in zip(findings, vectors, strict=True):
        x = centring.apply(np.asarray(v, dtype=np.float32), model.means.get((f.kind, f.script)))
        threshold = model.thresholds.get(f.kind, clustering.THRESHOLD)
        same = np.flatnonzero(np.asarray(model.kinds) == f.kind)
        best = -1
        if same.size:
            sims = model.centroids[same] @ x
            j = int(np.argmax(sims))
            if sims[j] >= threshold:
                best = int(same[j])
        if best >= 0:
            n = float(model.counts[best])
            model.centroids[best] = clustering.normalise_rows(
                (model.centroids[best] * n + x).reshape(1, -1)
            )[0]
            model.counts[best] += 1
            out.append(Placement(model.theme_ids[best], f, None))
        else:
            theme = ThemeOutcome(new_id(), f.kind, label_of(f.text), [f])
            model.theme_ids.append(theme.id)
            model.kinds.append(f.kind)
            model.centroids = np.vstack([model.centroids.reshape(-1, x.shape[0]), x[None, :]])
            model.counts = np.append(model.counts, 1)
            out.append(Placement(theme.id, f, theme))
        model.added_findings += 1
    return out


def dumps(model: Model) -> bytes:
    buf = io.BytesIO()
    mean_keys = sorted(model.means)
    marks = sorted(model.marks.items())
    np.savez(
        buf,
        theme_ids=np.array([str(i) for i in model.theme_ids], dtype="U36"),
        kinds=np.array(model.kinds, dtype="U4"),
        centroids=model.centroids.astype(np.float32),
        counts=model.counts.astype(np.int64),
        mean_keys=np.array([f"{k}:{s}" for k, s in mean_keys], dtype="U8"),
        means=np.array([model.means[k] for k in mean_keys], dtype=np.float32),
        thresholds=np.array([model.thresholds.get(k, clustering.THRESHOLD) for k in KINDS]),
        numbers=np.array([model.edit_version, model.fitted_findings, model.added_findings]),
        mark_ids=np.array([str(i) for i, _ in marks], dtype="U36"),
        mark_values=np.array([m for _, m in marks], dtype=str),
    )
    return buf.getvalue()


def loads(data: bytes) -> Model:
    with np.load(io.BytesIO(data), allow_pickle=False) as z:
        keys = [str(k).split(":") for k in z["mean_keys"]]
        numbers = [int(n) for n in z["numbers"]]
        return Model(
            theme_ids=[UUID(str(i)) for i in z["theme_ids"]],
            kinds=[str(k) for k in z["kinds"]],
            centroids=z["centroids"].astype(np.float32),
            counts=z["counts"].astype(np.int64),
            means={(k, int(s)): m for (k, s), m in zip(keys, z["means"], strict=True)},
            thresholds={k: float(t) for k, t in zip(KINDS, z["thresholds"], strict=True)},
            edit_version=numbers[0],
            marks={
                UUID(str(i)): str(m) for i, m in zip(z["mark_ids"], z["mark_values"], strict=True)
            },
            fitted_findings=numbers[1],
            added_findings=numbers[2],
        )
