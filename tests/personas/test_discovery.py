"""Discovery: the clustering recovers groups it was not told about, refuses thin data, reports
its quality; over the API it reads the stored vectors, cites valid lines and adopts a
suggestion through the framework."""

from __future__ import annotations

import uuid
from typing import Any

import numpy as np
import pytest

from persona_insight.personas import discovery
from tests.support import client, make_project, make_user, wait_for_status

DIM = 16


def _members(groups: int, size: int, noise: float, seed: int = 3) -> list[discovery.Member]:
    rng = np.random.default_rng(seed)
    centres = np.eye(DIM)[:groups]
    out = []
    for g in range(groups):
        for m in range(size):
            said = [
                discovery.Said(
                    f"group {g} finding {m}.{k}",
                    (k + 1,),
                    (v := centres[g] + rng.normal(0, noise, DIM)) / np.linalg.norm(v),
                    f"a line long enough to quote, group {g} member {m}",
                )
                for k in range(3)
            ]
            out.append(discovery.Member(uuid.uuid4(), tuple(said), (), f"P{g + 1}"))
    return out


def test_recovers_separated_groups_with_quality() -> None:
    members = _members(3, 5, noise=0.3)
    truth = [i // 5 for i in range(15)]
    result = discovery.discover(members)
    assert result.status == "ok"
    found = [result.labels[m.interview_id] for m in members]
    assert discovery.adjusted_rand(truth, found) == pytest.approx(1.0)
    assert result.clusters == 3
    assert result.silhouette is not None
    assert result.silhouette > 0.25
    assert result.stability is not None
    assert result.stability > 0.9
    for suggestion in result.suggestions:
        assert suggestion.traits
        assert suggestion.quotes
        owners = set(suggestion.interview_ids)
        for statement in suggestion.traits + suggestion.quotes:
            assert statement.citations
            assert statement.citations[0].interview_id in owners


def test_noise_is_reported_as_weak() -> None:
    rng = np.random.default_rng(5)
    members = [
        discovery.Member(
            uuid.uuid4(),
            (discovery.Said("x", (1,), (v := rng.normal(0, 1, DIM)) / np.linalg.norm(v)),),
            (),
        )
        for _ in range(20)
    ]
    result = discovery.discover(members)
    assert result.status == "ok"
    # No structure: the numbers say so (a researcher must not trust these groups). The best
    # silhouette over several cuts flatters noise a little; the resamples do not agree.
    assert result.silhouette is not None
    assert result.silhouette < 0.3
    assert result.stability is not None
    assert result.stability < 0.8


def test_refuses_thin_data() -> None:
    result = discovery.discover(_members(1, 3, noise=0.1))
    assert result.status == "too_thin"
    assert result.suggestions == []
    assert result.interviews == 3


def test_nearest_persona_and_what_differs() -> None:
    members = _members(2, 4, noise=0.2)
    near = np.eye(DIM)[0]
    result = discovery.discover(members, [discovery.PersonaVector("P1", "Zero", near)])
    by_first = {tuple(s.interview_ids): s for s in result.suggestions}
    first = by_first[tuple(m.interview_id for m in members[:4])]
    assert first.nearest_code == "P1"
    assert first.nearest_share == 1.0
    assert first.nearest_similarity is not None
    assert first.nearest_similarity > 0.8
    assert first.differs_by


def test_adjusted_rand_reference_values() -> None:
    assert discovery.adjusted_rand([0, 0, 1, 1], [5, 5, 7, 7]) == pytest.approx(1.0)
    # sklearn's documented example: adjusted_rand_score([0, 0, 1, 2], [0, 0, 1, 1]) = 0.571…
    assert discovery.adjusted_rand([0, 0, 1, 2], [0, 0, 1, 1]) == pytest.approx(0.5714, abs=1e-3)
    assert discovery.adjusted_rand([0, 0, 0, 0], [0, 1, 2, 3]) == pytest.approx(0.0)


# --- over the API ---------------------------------------------------------------------------------

TALKS = [
    "Interviewer: How do you charge?\nParticipant: I charge my electric car at home every night"
    " with a wall box in the garage.\nInterviewer: Problems?\nParticipant: The night tariff"
    " keeps changing and the charger app does not show what a charge cost me.",
    "Interviewer: How do you order food?\nParticipant: I order dinner through the delivery app"
    " three times a week.\nInterviewer: Problems?\nParticipant: The delivery fee is higher"
    " than the food and the rider is always late with cold noodles.",
    "Interviewer: How do you bank?\nParticipant: I transfer money with the banking app every"
    " payday.\nInterviewer: Problems?\nParticipant: The app logs me out during a transfer and"
    " the security certificate has to be renewed every year.",
]


@pytest.mark.anyio
@pytest.mark.slow
@pytest.mark.timeout(900)  # three analyses by the worker on a shared, loaded machine
async def test_api_refuses_three_interviews_and_adopts(app: Any, worker: None) -> None:
    admin = await make_user(app.api.state.runtime.db, email="a@acme.test", role="company_admin")
    user = await make_user(app.api.state.runtime.db, email="u@acme.test", role="company_user")
    project = await make_project(app, admin, "Discovery")
    async with client(app, admin) as c:
        ids = []
        for talk in TALKS:
            r = await c.post(
                "/api/workflow/async", json={"project_id": project["id"], "text": talk}
            )
            ids.append(r.json()["interview_id"])
        for iid in ids:
            done = await wait_for_status(app, admin, iid, {"completed", "failed"}, timeout=600)
            assert done["status"] == "completed", done["error"]
        r = await c.post(f"/api/projects/{project['id']}/personas/discover")
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["status"] == "too_thin"
        # an interview whose vectors the index job has not stored yet is counted apart
        assert body["interviews"] + body["unindexed"] == 3
        assert body["suggestions"] == []
        assert body["min_interviews"] == 6
        assert (await c.post("/api/personas/discover")).json()["status"] == "too_thin"

        # adopting into a company with no framework makes a one-axis framework
        r = await c.post(
            "/api/personas/framework/adopt",
            json={"name": "Night chargers", "description": "Charge at home overnight."},
        )
        assert r.status_code == 200, r.text
        fw = r.json()
        assert [p["traits"] for p in fw["personas"]] == [["Night chargers"]]
        first_code = fw["personas"][0]["code"]
        r = await c.post("/api/personas/framework/adopt", json={"name": "Delivery diners"})
        fw = r.json()
        assert {p["code"] for p in fw["personas"]} >= {first_code}, "existing codes stay"
        assert len(fw["personas"]) == 2
        # same name twice on an axis: the framework's own rule
        r = await c.post("/api/personas/framework/adopt", json={"name": "Delivery diners"})
        assert r.status_code == 422
        r = await c.post(
            "/api/personas/framework/adopt",
            json={"name": "X", "axis_id": str(uuid.uuid4())},
        )
        assert r.status_code == 422
        assert r.json()["error"]["code"] == "unknown_axis"
        r = await c.post("/api/personas/framework/adopt", json={"name": ""})
        assert r.status_code == 422
        other = await c.post("/api/projects/00000000-0000-7000-8000-000000000000/personas/discover")
        assert other.status_code == 404
    async with client(app, user) as c:
        r = await c.post("/api/personas/framework/adopt", json={"name": "Mine"})
        assert r.status_code == 403
        assert (await c.post("/api/personas/discover")).status_code == 403
