"""Theme quality against the labelled reference grouping (reference_themes.json): the adjusted
Rand index and Korean/English co-location, as docs/benchmarks.md ("Insights") reports them.

Items are clustered on the text the analysis job embeds for a finding (`embedded`: description and
evidence lines), as a recomputation does. The set is split by source interview into a tune half
and a held-out half (reference_split.py, fixed before any tuning); each half is clustered on its
own, as a project of its own would be. The issue's targets are ARI >= 0.6 and co-location
>= 80 %; the offline embeddings do not reach them (figures and everything tried in
benchmarks.md), so the target is a strict xfail carrying today's figures: it fails loudly once a
change meets it on the held-out half, and the floors below, just under today's figures, fail a
change that makes grouping worse.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from persona_insight.embeddings.vectors import embed_passages
from persona_insight.insights import clustering, quality
from tests.insights.reference_split import Half, half_of

REFERENCE = Path(__file__).with_name("reference_themes.json")
# Today's figures (threshold 0.32, centred per language, pains and needs apart):
# all 250 findings ARI 0.134, co-location 0.080 of 88 pairs; tune half (168 findings) ARI 0.053,
# 0.025 of 40 pairs; held-out half (82 findings) ARI 0.246, 0.0 of 6 pairs.
FLOORS: dict[Half | None, tuple[float, float]] = {
    None: (0.12, 0.07),
    "tune": (0.04, 0.02),
    "held-out": (0.22, 0.0),
}
TARGET_ARI = 0.6
TARGET_COLOCATION = 0.8


@functools.cache
def _reference() -> tuple[list[dict[str, Any]], np.ndarray]:
    items = json.loads(REFERENCE.read_text())["items"]
    return items, embed_passages([i["embedded"] for i in items])


def figures(which: Half | None) -> tuple[float, float, int]:
    """(ARI, co-location, Korean/English pairs) of one half clustered on its own, or of all."""
    items, vectors = _reference()
    chosen = [n for n, i in enumerate(items) if which is None or half_of(i["source"]) == which]
    korean = [bool(re.search("[가-힣]", items[n]["text"])) for n in chosen]
    found: list[tuple[str, int]] = [("", 0)] * len(chosen)
    for kind in ("pain", "need"):
        local = np.array([j for j, n in enumerate(chosen) if items[n]["ref"].startswith(kind)])
        rows = np.array(chosen)[local]
        scripts = np.array(korean, dtype=np.intp)[local]
        x, threshold, _ = clustering.centre(vectors[rows], scripts)
        for j, label in zip(local, clustering.cluster(x, threshold).labels, strict=True):
            found[int(j)] = (kind, int(label))
    truth = [items[n]["theme"] for n in chosen]
    colocation, pairs = quality.cross_language_colocation(truth, found, korean)
    return quality.adjusted_rand_index(truth, found), colocation, pairs


def test_metrics_on_known_groupings() -> None:
    assert quality.adjusted_rand_index([1, 1, 2, 2], ["a", "a", "b", "b"]) == 1.0
    assert quality.adjusted_rand_index([1, 1, 2, 2], ["a", "b", "a", "b"]) < 0
    assert quality.cross_language_colocation([1, 1], ["x", "x"], [True, False]) == (1.0, 1)
    assert quality.cross_language_colocation([1, 1], ["x", "y"], [True, False]) == (0.0, 1)


def test_the_split_keeps_interviews_whole_and_both_languages_in_each_half() -> None:
    items = json.loads(REFERENCE.read_text())["items"]
    halves: dict[str, set[str]] = {}
    for i in items:
        halves.setdefault(i["source"], set()).add(half_of(i["source"]))
    assert all(len(h) == 1 for h in halves.values())
    for half in ("tune", "held-out"):
        texts = [i["text"] for i in items if half_of(i["source"]) == half]
        assert len(texts) >= 80
        assert any(re.search("[가-힣]", t) for t in texts)
        assert not all(re.search("[가-힣]", t) for t in texts)


@pytest.mark.slow
def test_reference_grouping_does_not_get_worse() -> None:
    items = json.loads(REFERENCE.read_text())["items"]
    assert len(items) >= 80
    assert {i["file"].split("/")[1] for i in items} >= {"analysis", "persona_insight"}
    for which, (ari_floor, colocation_floor) in FLOORS.items():
        ari, colocation, pairs = figures(which)
        assert pairs >= (40 if which is None else 5), which
        assert ari >= ari_floor, (which, ari)
        assert colocation >= colocation_floor, (which, colocation)


@pytest.mark.slow
@pytest.mark.xfail(
    strict=True,
    reason="issue 12's theme-quality target is not met by the offline e5-small vectors: held-out"
    " half ARI 0.246 (target 0.6), co-location 0 of 6 pairs (target 80 %); all 250 findings"
    " ARI 0.134, 8.0 % of 88 pairs (docs/benchmarks.md, Insights)",
)
def test_theme_quality_target_on_the_held_out_half() -> None:
    ari, colocation, _ = figures("held-out")
    assert ari >= TARGET_ARI, ari
    assert colocation >= TARGET_COLOCATION, colocation
