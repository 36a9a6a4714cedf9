"""The incremental path: one more interview is placed into the standing themes without a full
recomputation; ids, researcher edits (rename, pin, hide, a moved finding) survive it and the full
recomputation that follows, and `insights:updated` still rebuilds the fresh state."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import numpy as np
import pytest
from sqlalchemy import text

from persona_insight.insights import incremental, tasks
from persona_insight.insights.themes import FindingIn, ThemeOutcome
from tests.insights.support import analysed, analysis, recompute
from tests.insights.test_themes_db import (
    BROKEN_EN,
    BROKEN_KO,
    OTHER_NEEDS_EN,
    OTHER_NEEDS_KO,
    OTHER_PAINS_EN,
    OTHER_PAINS_KO,
    PRICE_EN,
    PRICE_KO,
    _apply,
    _compact,
    _events,
    _insights,
)
from tests.support import as_owner, client, make_project, make_user


async def _full_jobs(database_url: str) -> int:
    async with as_owner(database_url) as session:
        n: int = await session.scalar(
            text(
                "SELECT count(*) FROM procrastinate_jobs"
                " WHERE task_name = 'recompute_insights_full' AND status = 'todo'"
            )
        )
        return n


async def _member_theme(database_url: str, interview_id: UUID, ref: str) -> UUID:
    async with as_owner(database_url) as session:
        found: UUID = await session.scalar(
            text("SELECT theme_id FROM insight_theme_members WHERE interview_id = :i AND ref = :r"),
            {"i": interview_id, "r": ref},
        )
        return found


@pytest.mark.anyio
async def test_one_more_interview_is_placed_and_edits_survive(
    app: Any, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A two-interview project drifts with any addition; here the incremental path is the point.
    monkeypatch.setattr(incremental, "DRIFT", 10.0)
    db = app.api.state.runtime.db
    owner = await make_user(db, email="owner@acme.test")
    pid = (await make_project(app, owner))["id"]
    snapshot_seq = (await _insights(app, owner, pid))["last_seq"]
    en = analysis([BROKEN_EN, *OTHER_PAINS_EN], [PRICE_EN, *OTHER_NEEDS_EN])
    ko = analysis([BROKEN_KO, *OTHER_PAINS_KO], [PRICE_KO, *OTHER_NEEDS_KO], "ko")
    ann = await analysed(app, owner, pid, en, "Ann")
    await analysed(app, owner, pid, ko, "민수")
    assert await recompute(app, owner, pid)  # full: no model yet
    assert await _full_jobs(database_url) == 0
    first = await _insights(app, owner, pid)
    price = next(t for t in first["themes"] if t["label"] == PRICE_EN)
    broken = next(t for t in first["themes"] if BROKEN_KO in [q["text"] for q in t["quotes"]])
    logout = next(t for t in first["themes"] if OTHER_PAINS_EN[0] in t["label"])
    async with client(app, owner) as c:
        r = await c.patch(
            f"/api/insights/themes/{price['id']}", json={"label": "Total up front", "pinned": True}
        )
        assert r.status_code == 200, r.text
        r = await c.patch(f"/api/insights/themes/{logout['id']}", json={"hidden": True})
        assert r.status_code == 200, r.text
        # A split: Ann's "support never answers" goes to the broken-chargers theme.
        r = await c.post(
            f"/api/projects/{pid}/insights/moves",
            json={"interview_id": str(ann), "ref": "pain:2", "theme_id": broken["id"]},
        )
        assert r.status_code == 202, r.text
    assert await recompute(app, owner, pid)  # full: the move changed the edits
    assert await _member_theme(database_url, ann, "pain:2") == UUID(broken["id"])

    bo = await analysed(
        app, owner, pid, analysis([BROKEN_EN, "Parking at the station costs a fortune"], [PRICE_EN])
    )
    assert await recompute(app, owner, pid)
    assert await _full_jobs(database_url) == 1  # incremental: the settling full run is queued
    after = await _insights(app, owner, pid)
    assert after["interview_count"] == 3
    assert not after["pending"]
    need = next(t for t in after["themes"] if t["id"] == price["id"])
    assert (need["label"], need["pinned"], need["interviews"]) == ("Total up front", True, 3)
    assert after["themes"][0]["id"] == price["id"]
    pain = next(t for t in after["themes"] if t["id"] == broken["id"])
    assert pain["interviews"] == 3
    assert str(bo) in {q["interview_id"] for q in pain["quotes"]}
    assert next(t for t in after["themes"] if t["id"] == logout["id"])["hidden"]
    assert await _member_theme(database_url, ann, "pain:2") == UUID(broken["id"])
    # The finding no theme is close to starts one of its own, labelled with its words.
    assert any(t["label"].startswith("Parking at the station") for t in after["themes"])

    # Zulip-style: the events since the first snapshot rebuild exactly the fresh state.
    state: dict[str, dict[str, Any]] = {}
    for event in await _events(app, owner, pid, snapshot_seq):
        if event["type"] == "insights:updated":
            _apply(state, event["data"])
    assert state == _compact(after["themes"])

    # The settling full recomputation keeps ids and edits.
    assert await tasks.run_recompute(db, UUID(pid), owner.company_id, full=True)
    settled = await _insights(app, owner, pid)
    need = next(t for t in settled["themes"] if t["id"] == price["id"])
    assert (need["label"], need["pinned"], need["interviews"]) == ("Total up front", True, 3)
    assert next(t for t in settled["themes"] if t["id"] == broken["id"])["interviews"] == 3
    assert next(t for t in settled["themes"] if t["id"] == logout["id"])["hidden"]
    assert await _member_theme(database_url, ann, "pain:2") == UUID(broken["id"])

    # Trashing an interview is not incremental: a full recomputation drops its findings.
    async with client(app, owner) as c:
        assert (await c.delete(f"/api/interviews/{bo}")).status_code == 200
    assert await recompute(app, owner, pid)
    gone = await _insights(app, owner, pid)
    assert gone["interview_count"] == 2
    assert not any(t["label"].startswith("Parking") for t in gone["themes"])


def _finding(n: int, kind: str = "pain") -> FindingIn:
    return FindingIn(UUID(int=n), f"{kind}:0", f"finding {n}", (1,), None, None)


def test_model_places_near_findings_and_round_trips() -> None:
    rng = np.random.default_rng(3)
    topics = rng.normal(size=(3, 16)).astype(np.float32)
    findings = [_finding(i) for i in range(30)]
    vectors = (topics[np.arange(30) % 3] + rng.normal(0, 0.05, (30, 16))).astype(np.float32)
    outcomes = [ThemeOutcome(UUID(int=1000 + t), "pain", f"t{t}", findings[t::3]) for t in range(3)]
    model = incremental.fit(findings, vectors, outcomes, edit_version=4, marks={UUID(int=1): "a"})
    again = incremental.loads(incremental.dumps(model))
    assert again.theme_ids == model.theme_ids
    assert again.marks == {UUID(int=1): "a"}
    assert (again.edit_version, again.fitted_findings) == (4, 30)
    assert np.allclose(again.centroids, model.centroids)
    ids = iter([UUID(int=9999)])
    near = topics[1] + rng.normal(0, 0.05, 16).astype(np.float32)
    # Orthogonal to every topic: close to none of them.
    basis = np.linalg.qr(topics.T)[0]
    far = rng.normal(size=16).astype(np.float32)
    far -= basis @ (basis.T @ far)
    placed = incremental.place(
        again,
        [_finding(100), _finding(101)],
        np.stack([near, far]).astype(np.float32),
        new_id=lambda: next(ids),
    )
    assert placed[0].theme_id == UUID(int=1001)
    assert placed[0].new_theme is None
    assert placed[1].theme_id == UUID(int=9999)
    assert placed[1].new_theme is not None
    assert again.counts.tolist() == [10, 11, 10, 1]
    assert not again.drifted()
    again.added_findings = 4
    assert again.drifted()  # more than 10 % of the 30 it was fitted on
    korean = FindingIn(UUID(int=7), "pain:0", "처음 보는 언어", (1,), None, None)
    assert not again.covers(korean)  # no Korean mean to take out: recompute in full
    assert again.covers(_finding(8))


def test_a_new_finding_is_placed_through_the_language_centring_it_was_fitted_with() -> None:
    """Korean and English findings whose vectors are dominated by their language: a new Korean
    finding about topic 1 joins the theme of topic 1 (Korean and English members alike) only if
    the Korean mean the full recomputation took out is taken out of it too."""
    rng = np.random.default_rng(5)
    topics = rng.normal(size=(2, 16)).astype(np.float32)
    accent = {0: rng.normal(size=16) * 4, 1: rng.normal(size=16) * 4}
    findings: list[FindingIn] = []
    rows = []
    for n in range(24):
        script, topic = n % 2, (n // 2) % 2
        text_ = f"주제 {topic} 한국어 {n}" if script else f"topic {topic} english {n}"
        findings.append(FindingIn(UUID(int=n + 1), "pain:0", text_, (1,), None, None))
        rows.append(topics[topic] + accent[script] + rng.normal(0, 0.05, 16))
    vectors = np.array(rows, dtype=np.float32)
    outcomes = [
        ThemeOutcome(UUID(int=500 + t), "pain", f"t{t}", [f for f in findings if f"{t} " in f.text])
        for t in (0, 1)
    ]
    model = incremental.fit(findings, vectors, outcomes, edit_version=0, marks={})
    assert set(model.means) == {("pain", 0), ("pain", 1)}
    new = FindingIn(UUID(int=99), "pain:0", "주제 1 새 인터뷰", (1,), None, None)
    vector = (topics[1] + accent[1] + rng.normal(0, 0.05, 16)).astype(np.float32)
    placed = incremental.place(
        incremental.loads(incremental.dumps(model)), [new], vector[None, :], new_id=uuid4
    )
    assert placed[0].theme_id == UUID(int=501)
    assert placed[0].new_theme is None
