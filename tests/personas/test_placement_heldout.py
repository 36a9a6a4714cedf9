"""Placement on the held-out set (tests/personas/data/placement_heldout.json): interviews outside
the labelled set the matcher was tuned on, labelled and committed (ca703ac) before the matcher
ran on them. The issue's targets are accuracy >= 0.8 of confident placements and at most 30 %
unclear. First measurement (2026-12-03): unclear 23.1 % (2 axes) and 29.2 % (3 axes) meet the
target; accuracy 0.70 (7/10) and 0.765 (13/17) miss it, so that half is a strict xfail rather
than a threshold tuned on these labels (docs/benchmarks.md)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from bench import personas

# Reads and embeds every transcript with e5: minutes on the shared 2-core machine.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    result = personas.evaluate(personas.load_heldout())
    if result["missing"]:
        pytest.skip(f"held-out transcripts absent (git-ignored): {len(result['missing'])} missing")
    print(json.dumps(result, ensure_ascii=False, indent=1))
    frameworks: dict[str, Any] = result["frameworks"]
    return frameworks


def test_heldout_labels_are_outside_the_tuned_set() -> None:
    tuned = set(personas.load_set()["interviews"])
    heldout = personas.load_heldout()["interviews"]
    assert len(heldout) >= 10
    assert not tuned & set(heldout)


def test_heldout_unclear_share_within_target(report: dict[str, Any]) -> None:
    assert report["two_axes"]["unclear_share"] <= 0.3, report["two_axes"]
    assert report["three_axes"]["unclear_share"] <= 0.3, report["three_axes"]


@pytest.mark.xfail(
    strict=True,
    reason="held-out accuracy when confident 0.70 (2 axes) and 0.765 (3 axes), below 0.8",
)
def test_heldout_accuracy_when_confident(report: dict[str, Any]) -> None:
    assert report["two_axes"]["accuracy_when_confident"] >= 0.8, report["two_axes"]
    assert report["three_axes"]["accuracy_when_confident"] >= 0.8, report["three_axes"]
