"""Discovery on the fixture whose groups were fixed before any discovery code
(tests/personas/data/discovery_fixture.json: one group per source study or domain): the groups
are recovered (adjusted Rand index >= 0.5) and three interviews are refused as too thin. Every
file goes through the product's ingestion, parser and offline analyser, so this is slow."""

from __future__ import annotations

import uuid

import pytest

from persona_insight.personas import discovery
from tests.personas import discovery_set

# 32 transcripts through the offline analyser: 10 s each on an idle machine, minutes when loaded.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(3600)]


def test_recovers_the_fixed_groups_and_refuses_three() -> None:
    data = discovery_set.load()
    keys = [k for group in data["groups"].values() for k in group]
    absent = discovery_set.missing(keys + data["refuse"])
    if absent:
        pytest.skip(f"real transcripts absent (git-ignored): {', '.join(absent)}")
    members = {k: discovery_set.member(k, discovery_set.analyse(k)) for k in keys}
    truth = {
        uuid.uuid5(uuid.NAMESPACE_URL, k): group
        for group, group_keys in data["groups"].items()
        for k in group_keys
    }
    result = discovery.discover(list(members.values()))
    assert result.status == "ok"
    ids = list(result.labels)
    assert len(ids) == len(keys)
    ari = discovery.adjusted_rand([truth[i] for i in ids], [result.labels[i] for i in ids])
    assert ari >= data["targets"]["adjusted_rand_index_at_least"], (ari, result.clusters)

    thin = discovery.discover([members[k] for k in data["refuse"]])
    assert thin.status == "too_thin"
    assert thin.suggestions == []
