"""Placement on the held-out sets (tests/personas/data/placement_heldout.json, _2.json and
_3.json): interviews outside the labelled set the matcher was tuned on, each set labelled and
committed before the matcher ran on it, the matcher unchanged since the first was measured. The
issue's targets are accuracy >= 0.8 of confident placements and at most 30 % unclear, asserted
over all three sets together. The first set alone (2026-12-03) had 10 and 17 confident
placements, too few to tell 0.7 from 0.8, which is why the other two were labelled; each set's
figures are in docs/benchmarks.md."""

from __future__ import annotations

import json
from typing import Any

import pytest
from bench import personas

# Reads and embeds every transcript with e5: minutes on the shared 2-core machine.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]


@pytest.fixture(scope="module")
def result() -> dict[str, Any]:
    heldout = personas.load_heldout()
    report = personas.evaluate(heldout, heldout["groups"])
    if report["missing"]:
        pytest.skip(f"held-out transcripts absent (git-ignored): {len(report['missing'])} missing")
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return report


def test_heldout_labels_are_outside_the_tuned_set() -> None:
    tuned = set(personas.load_set()["interviews"])
    heldout = personas.load_heldout()
    assert len(heldout["groups"]["first"]) >= 10
    assert len(heldout["groups"]["second"]) >= 30
    assert len(heldout["groups"]["third"]) >= 30
    assert not tuned & set(heldout["interviews"])


def test_heldout_sets_do_not_share_an_interview() -> None:
    groups = list(personas.load_heldout()["groups"].values())
    assert sum(map(len, groups)) == len(set().union(*groups))
    sources = [
        (source["repository"], source["path"])
        for path in personas.HELDOUT_SETS.values()
        for source in json.loads(path.read_text(encoding="utf-8"))["sources"].values()
    ]
    assert len(sources) == len(set(sources))


def test_heldout_unclear_share_within_target(result: dict[str, Any]) -> None:
    frameworks = result["frameworks"]
    assert frameworks["two_axes"]["unclear_share"] <= 0.3, frameworks["two_axes"]
    assert frameworks["three_axes"]["unclear_share"] <= 0.3, frameworks["three_axes"]


def test_heldout_accuracy_when_confident(result: dict[str, Any]) -> None:
    frameworks = result["frameworks"]
    assert frameworks["two_axes"]["accuracy_when_confident"] >= 0.8, frameworks["two_axes"]
    assert frameworks["three_axes"]["accuracy_when_confident"] >= 0.8, frameworks["three_axes"]


@pytest.mark.xfail(
    strict=True,
    reason="an axis the interview never speaks to is still placed: Household confidently "
    "placed for 43 of the 62 held-out interviews that do not say who they live with",
)
def test_heldout_axis_left_unclear_when_the_interview_does_not_say(
    result: dict[str, Any],
) -> None:
    # "Never forced" (issue 14): where the labeller found nothing to go by, the matcher should
    # say unclear as often as the unclear target allows it to be wrong the other way.
    for name, framework in result["frameworks"].items():
        assert framework["placed_where_unsaid"] <= 0.3, (name, framework["axes"])
