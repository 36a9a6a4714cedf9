"""Theme quality against the labelled reference grouping (reference_themes.json): the adjusted
Rand index and Korean/English co-location, as docs/benchmarks.md ("Insights") reports them.

Items are clustered on the text the analysis job embeds for a finding (`embedded`: description and
evidence lines), as a recomputation does. The issue's targets are ARI >= 0.6 and co-location
>= 80 %; the offline embeddings do not reach them (figures and what was tried in benchmarks.md).
The floors below sit just under today's figures (ARI 0.134, co-location 0.080 over 88 pairs), so
a change that makes grouping worse fails here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from persona_insight.embeddings.vectors import embed_passages
from persona_insight.insights import clustering, quality

REFERENCE = Path(__file__).with_name("reference_themes.json")
ARI_FLOOR = 0.12
COLOCATION_FLOOR = 0.07


def grouping() -> tuple[list[str], list[tuple[str, int]], list[bool]]:
    items = json.loads(REFERENCE.read_text())["items"]
    vectors = embed_passages([i["embedded"] for i in items])
    korean = [bool(re.search("[가-힣]", i["text"])) for i in items]
    found: list[tuple[str, int]] = [("", 0)] * len(items)
    for kind in ("pain", "need"):
        rows = np.array([n for n, i in enumerate(items) if i["ref"].startswith(kind)])
        x, threshold = clustering.centre(vectors[rows], np.array(korean, dtype=np.intp)[rows])
        labels = clustering.cluster(x, threshold).labels
        for row, label in zip(rows, labels, strict=True):
            found[int(row)] = (kind, int(label))
    return [i["theme"] for i in items], found, korean


def test_metrics_on_known_groupings() -> None:
    assert quality.adjusted_rand_index([1, 1, 2, 2], ["a", "a", "b", "b"]) == 1.0
    assert quality.adjusted_rand_index([1, 1, 2, 2], ["a", "b", "a", "b"]) < 0
    assert quality.cross_language_colocation([1, 1], ["x", "x"], [True, False]) == (1.0, 1)
    assert quality.cross_language_colocation([1, 1], ["x", "y"], [True, False]) == (0.0, 1)


@pytest.mark.slow
def test_reference_grouping() -> None:
    truth, found, korean = grouping()
    assert len(truth) >= 80
    assert {i["file"].split("/")[1] for i in json.loads(REFERENCE.read_text())["items"]} >= {
        "analysis",
        "persona_insight",
    }
    ari = quality.adjusted_rand_index(truth, found)
    colocation, pairs = quality.cross_language_colocation(truth, found, korean)
    assert pairs >= 40
    assert ari >= ARI_FLOOR, ari
    assert colocation >= COLOCATION_FLOOR, colocation
