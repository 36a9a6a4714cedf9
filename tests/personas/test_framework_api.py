"""The framework over the API: any number of axes, codes that survive edits, the rules as 422,
removing what interviews use as 409 unless confirmed, tenants apart, manual assignment."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import text

from tests.security.world import PNG
from tests.support import as_owner, client, make_project, make_user

pytestmark = pytest.mark.anyio

TWO_AXES = {
    "axes": [
        {
            "name": "충전 패턴",
            "types": [{"name": "루틴"}, {"name": "혼합"}, {"name": "급속"}],
        },
        {"name": "가치", "types": [{"name": "비용"}, {"name": "편의"}]},
    ]
}


async def _admin(app: Any, email: str = "admin@acme.test", company: str = "Acme") -> Any:
    return await make_user(
        app.api.state.runtime.db, email=email, company=company, role="company_admin"
    )


def _with_ids(body: dict[str, Any]) -> dict[str, Any]:
    """The framework as returned, turned back into a request that keeps every id."""
    return {
        "axes": [
            {
                "id": a["id"],
                "name": a["name"],
                "types": [{"id": t["id"], "name": t["name"]} for t in a["types"]],
            }
            for a in body["axes"]
        ]
    }


async def test_axes_give_personas_whose_codes_survive_edits(app: Any) -> None:
    admin = await _admin(app)
    async with client(app, admin) as c:
        r = await c.put("/api/personas/framework", json=TWO_AXES)
        assert r.status_code == 200, r.text
        body = r.json()
        assert len(body["personas"]) == 6
        by_traits = {tuple(p["traits"]): p["code"] for p in body["personas"]}
        assert by_traits[("루틴", "비용")] == "P1"
        edit = _with_ids(body)
        edit["axes"][0]["types"].append({"name": "충전 안 함"})
        edit["axes"][1]["types"][0]["name"] = "비용 절약"  # a rename keeps the type
        r = await c.put("/api/personas/framework", json=edit)
        assert r.status_code == 200, r.text
        after = {tuple(p["traits"]): p["code"] for p in r.json()["personas"]}
        assert len(after) == 8
        assert after[("루틴", "비용 절약")] == "P1"
        assert after[("급속", "편의")] == by_traits[("급속", "편의")]
        assert {after[("충전 안 함", "비용 절약")], after[("충전 안 함", "편의")]} == {"P7", "P8"}

        three = _with_ids(r.json())
        three["axes"].append({"name": "장소", "types": [{"name": "집"}, {"name": "직장"}]})
        r = await c.put("/api/personas/framework", json=three)
        assert r.status_code == 200, r.text
        assert len(r.json()["personas"]) == 16
        assert all(len(p["traits"]) == 3 for p in r.json()["personas"])
        svg = await c.get(r.json()["personas"][0]["picture_url"])
        assert svg.headers["content-type"].startswith("image/svg+xml")


@pytest.mark.parametrize(
    ("axes", "rule"),
    [
        ([], "framework_no_axes"),
        ([{"name": "a", "types": []}], "axis_no_types"),
        ([{"name": " ", "types": [{"name": "x"}]}], "axis_name_empty"),
        ([{"name": "a", "types": [{"name": "x"}, {"name": ""}]}], "type_name_empty"),
        ([{"name": "a", "types": [{"name": "x"}, {"name": "X"}]}], "duplicate_type_name"),
        (
            [{"name": "a", "types": [{"name": "x"}]}, {"name": "A", "types": [{"name": "y"}]}],
            "duplicate_axis_name",
        ),
        (
            [{"name": f"a{i}", "types": [{"name": f"t{j}"} for j in range(5)]} for i in range(3)],
            "too_many_combinations",
        ),
    ],
)
async def test_rules_answer_422_with_the_rule(app: Any, axes: Any, rule: str) -> None:
    admin = await _admin(app)
    async with client(app, admin) as c:
        r = await c.put("/api/personas/framework", json={"axes": axes})
        assert r.status_code == 422, r.text
        assert r.json()["error"]["code"] == rule
        assert r.json()["error"]["details"]["rule"] == rule
        assert (await c.get("/api/personas/framework")).json()["axes"] == []


async def test_removing_a_used_type_needs_confirmation(app: Any) -> None:
    admin = await _admin(app)
    project = await make_project(app, admin, "Charging")
    async with client(app, admin) as c:
        fw = (await c.put("/api/personas/framework", json=TWO_AXES)).json()
        r = await c.post(
            "/api/workflow/async",
            json={"project_id": project["id"], "text": "Q: How?\nA: At home, every night."},
        )
        interview_id = r.json()["interview_id"]
        p1 = next(p for p in fw["personas"] if p["code"] == "P1")
        r = await c.patch(
            f"/api/interviews/{interview_id}/persona",
            json={"persona_code": "P1", "reason": "said so in line 2"},
        )
        assert r.status_code == 200, r.text
        assert r.json()["persona_code"] == "P1"
        placements = (await c.get(f"/api/interviews/{interview_id}/placements")).json()
        assert placements["manual_persona"] is True
        assert {p["type_id"] for p in placements["items"]} == set(p1["type_ids"])

        edit = _with_ids(fw)
        edit["axes"][0]["types"] = edit["axes"][0]["types"][1:]  # drop 루틴
        r = await c.put("/api/personas/framework", json=edit)
        assert r.status_code == 409, r.text
        assert r.json()["error"]["code"] == "persona_type_in_use"
        assert r.json()["error"]["details"]["interviews"] == 1
        assert "P1" in r.json()["error"]["details"]["personas"]
        assert len((await c.get("/api/personas/framework")).json()["personas"]) == 6

        r = await c.put("/api/personas/framework", json=edit | {"confirm": True})
        assert r.status_code == 200, r.text
        assert r.json()["lost_interviews"] == [interview_id]
        assert len(r.json()["personas"]) == 4
        assert (await c.get(f"/api/interviews/{interview_id}")).json()["persona_code"] is None
    async with as_owner(app.api.state.runtime.db.owner_url) as s:
        actions = (await s.execute(text("SELECT action FROM audit_log"))).scalars().all()
        types = (
            await s.execute(text("SELECT type FROM events WHERE type LIKE 'persona:%'"))
        ).scalars()
        assert "persona_assigned" in actions
        assert "persona_framework_changed" in actions
        assert "persona:updated" in list(types)


async def test_manual_axis_values_decide_the_persona(app: Any) -> None:
    admin = await _admin(app)
    project = await make_project(app, admin, "Charging")
    async with client(app, admin) as c:
        fw = (await c.put("/api/personas/framework", json=TWO_AXES)).json()
        r = await c.post(
            "/api/workflow/async",
            json={"project_id": project["id"], "text": "Q: How?\nA: Fast chargers only."},
        )
        iid = r.json()["interview_id"]
        pattern, value = fw["axes"]
        fast = next(t["id"] for t in pattern["types"] if t["name"] == "급속")
        cost = value["types"][0]["id"]
        r = await c.patch(f"/api/interviews/{iid}/persona", json={"axes": {pattern["id"]: fast}})
        assert r.json()["persona_code"] is None  # the value axis is still unclear
        r = await c.patch(f"/api/interviews/{iid}/persona", json={"axes": {value["id"]: cost}})
        expected = next(p for p in fw["personas"] if set(p["type_ids"]) == {fast, cost})
        assert r.json()["persona_code"] == expected["code"]
        # a type of another axis, an unknown persona, both kinds at once: 422
        bad = await c.patch(f"/api/interviews/{iid}/persona", json={"axes": {value["id"]: fast}})
        assert bad.json()["error"]["code"] == "unknown_type"
        bad = await c.patch(f"/api/interviews/{iid}/persona", json={"persona_code": "P99"})
        assert bad.json()["error"]["code"] == "unknown_persona"
        bad = await c.patch(
            f"/api/interviews/{iid}/persona", json={"persona_code": "P1", "axes": {}}
        )
        assert bad.json()["error"]["code"] == "invalid_assignment"
        bad = await c.patch(f"/api/interviews/{iid}/persona", json={"axes": {}})
        assert bad.json()["error"]["code"] == "invalid_assignment"
        # switching the persona off leaves the interview without one on the next placement
        r = await c.patch(f"/api/personas/{expected['id']}", json={"enabled": False})
        assert r.json()["enabled"] is False
        r = await c.patch(f"/api/interviews/{iid}/persona", json={"axes": {value["id"]: cost}})
        assert r.json()["persona_code"] is None


async def test_switching_a_persona_off_and_on_moves_its_interviews(app: Any) -> None:
    """Its interviews kept the code until a manual re-match (API QA pass): every project is now
    placed again, as after a framework edit."""
    from persona_insight.personas import tasks
    from tests.insights.support import analysed, analysis

    admin = await _admin(app)
    project = await make_project(app, admin, "Charging")
    iid = await analysed(app, admin, project["id"], analysis(["충전기가 늘 고장 나요"], [], "ko"))
    db = app.api.state.runtime.db
    async with client(app, admin) as c:
        fw = (await c.put("/api/personas/framework", json=TWO_AXES)).json()
        pattern, value = fw["axes"]
        fast = next(t["id"] for t in pattern["types"] if t["name"] == "급속")
        cost = value["types"][0]["id"]
        r = await c.patch(
            f"/api/interviews/{iid}/persona",
            json={"axes": {pattern["id"]: fast, value["id"]: cost}},
        )
        expected = next(p for p in fw["personas"] if set(p["type_ids"]) == {fast, cost})
        assert r.json()["persona_code"] == expected["code"]
        await _clear_jobs(app)
        r = await c.patch(f"/api/personas/{expected['id']}", json={"enabled": False})
        assert r.json()["enabled"] is False
        assert await _queued_rematches(app, project["id"]) == 1
        await tasks.rematch(db, UUID(project["id"]), admin.company_id)
        assert (await c.get(f"/api/interviews/{iid}")).json()["persona_code"] is None
        await _clear_jobs(app)
        r = await c.patch(f"/api/personas/{expected['id']}", json={"enabled": True})
        assert await _queued_rematches(app, project["id"]) == 1
        await tasks.rematch(db, UUID(project["id"]), admin.company_id)
        assert (await c.get(f"/api/interviews/{iid}")).json()["persona_code"] == expected["code"]
        await _clear_jobs(app)
        await c.patch(f"/api/personas/{expected['id']}", json={"title": "renamed"})
        assert await _queued_rematches(app, project["id"]) == 0  # a title moves nobody


async def _queued_rematches(app: Any, project_id: str) -> int:
    async with as_owner(app.api.state.runtime.db.owner_url) as s:
        n = await s.scalar(
            text(
                "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'rematch_project'"
                " AND status = 'todo' AND args->>'project_id' = :p"
            ),
            {"p": project_id},
        )
        return int(n or 0)


async def _clear_jobs(app: Any) -> None:
    async with as_owner(app.api.state.runtime.db.owner_url) as s:
        await s.execute(text("DELETE FROM procrastinate_jobs WHERE task_name = 'rematch_project'"))
        await s.commit()


async def test_other_companies_see_nothing(app: Any) -> None:
    admin = await _admin(app)
    rival = await _admin(app, "boss@rival.test", "Rival")
    project = await make_project(app, admin, "Charging")
    async with client(app, admin) as c:
        fw = (await c.put("/api/personas/framework", json=TWO_AXES)).json()
        r = await c.post(
            "/api/workflow/async", json={"project_id": project["id"], "text": "Q: x\nA: y z."}
        )
        iid = r.json()["interview_id"]
    persona = fw["personas"][0]
    async with client(app, rival) as c:
        assert (await c.get("/api/personas/framework")).json()["personas"] == []
        r = await c.patch(f"/api/personas/{persona['id']}", json={"title": "mine"})
        assert (r.status_code, r.json()["error"]["code"]) == (404, "persona_not_found")
        assert (await c.get(persona["picture_url"])).status_code == 404
        r = await c.patch(f"/api/interviews/{iid}/persona", json={"persona_code": None})
        assert r.status_code == 404
        r = await c.put(
            f"/api/projects/{project['id']}/personas/focus", json={"persona_ids": [persona["id"]]}
        )
        assert r.status_code == 404
        # someone else's axis id is unknown here, not editable
        r = await c.put(
            "/api/personas/framework",
            json={"axes": [{"id": fw["axes"][0]["id"], "name": "x", "types": [{"name": "y"}]}]},
        )
        assert r.json()["error"]["code"] == "unknown_axis"


async def test_focus_and_pictures(app: Any) -> None:
    admin = await _admin(app)
    member = await make_user(app.api.state.runtime.db, email="kim@acme.test")
    project = await make_project(app, admin, "Charging")
    png = PNG
    async with client(app, admin) as c:
        fw = (await c.put("/api/personas/framework", json=TWO_AXES)).json()
        ids = [fw["personas"][0]["id"], fw["personas"][2]["id"]]
        r = await c.put(f"/api/projects/{project['id']}/personas/focus", json={"persona_ids": ids})
        assert r.json()["persona_ids"] == ids
        got = await c.get(f"/api/projects/{project['id']}/personas/focus")
        assert sorted(got.json()["persona_ids"]) == sorted(ids)
        url = f"/api/personas/{ids[0]}/picture"
        r = await c.put(url, files={"file": ("p.png", png, "image/png")})
        assert r.status_code == 204, r.text
        pic = await c.get(url)
        assert pic.headers["content-type"] == "image/png"
        assert pic.content == png
        svg = b"<svg onload='alert(1)'/>"
        r = await c.put(url, files={"file": ("p.png", svg, "image/png")})
        assert (r.status_code, r.json()["error"]["code"]) == (415, "unsupported_image")
        r = await c.put(url, files={"file": ("p.png", png + b"\x00" * (1024 * 1024))})
        assert (r.status_code, r.json()["error"]["code"]) == (413, "picture_too_large")
        # Decoded before it is kept: cut short, or huge once decoded (a 20,000-pixel square
        # is 1.2 GB in a browser, from a small file) — both refused, the last picture kept.
        for data, code in (
            (png[:30], "malformed_image"),
            (huge_png(), "image_dimensions_too_large"),
        ):
            r = await c.put(url, files={"file": ("p.png", data, "image/png")})
            assert (r.status_code, r.json()["error"]["code"]) == (422, code)
            assert (await c.get(url)).content == png
        assert (await c.delete(url)).status_code == 204
        assert (await c.get(url)).headers["content-type"].startswith("image/svg+xml")
    async with client(app, member) as c:
        assert (await c.put("/api/personas/framework", json=TWO_AXES)).status_code == 403
        assert (await c.get("/api/personas/framework")).status_code == 200


async def test_flat_personas_become_a_one_axis_framework(app: Any) -> None:
    admin = await _admin(app)
    async with client(app, admin) as c:
        for code, title in (("HOME", "Home charger"), ("FLEET", "Fleet manager")):
            r = await c.post("/api/company/personas", json={"code": code, "title": title})
            assert r.status_code == 201, r.text
        fw = (await c.get("/api/personas/framework")).json()
        assert [len(a["types"]) for a in fw["axes"]] == [2]
        assert sorted(p["code"] for p in fw["personas"]) == ["FLEET", "HOME"]
        # a second axis: the old codes go (no combination is the same), new ones are P-codes
        edit = _with_ids(fw)
        edit["axes"].append({"name": "value", "types": [{"name": "cost"}]})
        r = await c.put("/api/personas/framework", json=edit)
        assert sorted(p["code"] for p in r.json()["personas"]) == ["P1", "P2"]
        r = await c.post("/api/company/personas", json={"code": "X", "title": "x"})
        assert r.json()["error"]["code"] == "framework_has_axes"


def huge_png(side: int = 20_000) -> bytes:
    """A valid PNG declaring side × side pixels with one row of data: what matters is that its
    size is read before anything is decoded."""
    from tests.e2e.test_accounts import png

    return png(side, side, b"\x00" * (side + 1))


async def test_personas_without_types_all_go_and_the_409_names_each(app: Any) -> None:
    """The demo's flat personas have no types, so they all shared one key: a save removed one
    of them, the 409 named one, and every later save removed the next."""
    admin = await _admin(app)
    project = await make_project(app, admin, "Legacy")
    async with as_owner(app.api.state.runtime.db.owner_url) as s:
        for code in ("OLD-A", "OLD-B", "OLD-C"):
            await s.execute(
                text(
                    "INSERT INTO personas (id, company_id, code, title, description)"
                    " SELECT gen_random_uuid(), company_id, :c, :c, '' FROM users WHERE id = :u"
                ),
                {"c": code, "u": str(admin.user_id)},
            )
        await s.commit()
    async with client(app, admin) as c:
        used = []
        for code in ("OLD-A", "OLD-C"):
            r = await c.post(
                "/api/workflow/async",
                json={"project_id": project["id"], "text": "Q: How?\nA: At home, every night."},
            )
            interview_id = r.json()["interview_id"]
            r = await c.patch(
                f"/api/interviews/{interview_id}/persona", json={"persona_code": code}
            )
            assert r.status_code == 200, r.text
            used.append(interview_id)
        r = await c.put("/api/personas/framework", json=TWO_AXES)
        assert r.status_code == 409, r.text
        details = r.json()["error"]["details"]
        assert sorted(details["personas"]) == ["OLD-A", "OLD-B", "OLD-C"]
        assert details["interviews"] == 2
        r = await c.put("/api/personas/framework", json=TWO_AXES | {"confirm": True})
        assert r.status_code == 200, r.text
        assert sorted(r.json()["lost_interviews"]) == sorted(used)
        codes = sorted(
            p["code"] for p in (await c.get("/api/personas/framework")).json()["personas"]
        )
        assert codes == [f"P{n}" for n in range(1, 7)]


async def test_an_id_given_twice_is_refused(app: Any) -> None:
    admin = await _admin(app)
    async with client(app, admin) as c:
        fw = (await c.put("/api/personas/framework", json=TWO_AXES)).json()
        body = _with_ids(fw)
        twice_axis = {"axes": [body["axes"][0], body["axes"][1] | {"id": body["axes"][0]["id"]}]}
        r = await c.put("/api/personas/framework", json=twice_axis | {"confirm": True})
        assert r.status_code == 422, r.text
        assert r.json()["error"]["details"]["rule"] == "duplicate_axis_id"
        first = body["axes"][0]["types"][0]
        body["axes"][0]["types"][1]["id"] = first["id"]
        r = await c.put("/api/personas/framework", json=body | {"confirm": True})
        assert r.status_code == 422, r.text
        assert r.json()["error"]["details"]["rule"] == "duplicate_type_id"
        assert len((await c.get("/api/personas/framework")).json()["personas"]) == 6


async def test_a_removed_code_is_never_given_again_by_a_later_save(app: Any) -> None:
    admin = await _admin(app)
    async with client(app, admin) as c:
        fw = (await c.put("/api/personas/framework", json=TWO_AXES)).json()
        edit = _with_ids(fw)
        edit["axes"][1]["types"] = edit["axes"][1]["types"][:1]  # P2, P4, P6 go
        r = await c.put("/api/personas/framework", json=edit | {"confirm": True})
        assert sorted(p["code"] for p in r.json()["personas"]) == ["P1", "P3", "P5"]
        edit = _with_ids(r.json())
        edit["axes"][1]["types"].append({"name": "속도"})
        r = await c.put("/api/personas/framework", json=edit)
        assert r.status_code == 200, r.text
        assert sorted(p["code"] for p in r.json()["personas"]) == [
            "P1",
            "P3",
            "P5",
            "P7",
            "P8",
            "P9",
        ]


@pytest.mark.parametrize(
    ("names", "rule"),
    [
        (["한국", "한국"], "duplicate_type_name"),  # composed and decomposed Hangul
        (["ABC", "ＡＢＣ"], "duplicate_type_name"),  # full-width Latin
        (["a", "\u200b"], "type_name_empty"),  # a zero-width space shows nothing
        (["a", "b\u200b"], None),  # visible text with an invisible character is a name
    ],
)
async def test_names_are_compared_as_a_reader_sees_them(
    app: Any, names: list[str], rule: str | None
) -> None:
    import unicodedata

    names = [names[0], unicodedata.normalize("NFD", names[1])]
    admin = await _admin(app)
    async with client(app, admin) as c:
        body = {"axes": [{"name": "축", "types": [{"name": n} for n in names]}]}
        r = await c.put("/api/personas/framework", json=body)
        if rule is None:
            assert r.status_code == 200, r.text
        else:
            assert r.status_code == 422, r.text
            assert r.json()["error"]["details"]["rule"] == rule


async def test_a_persona_title_must_show_something(app: Any) -> None:
    admin = await _admin(app)
    async with client(app, admin) as c:
        fw = (await c.put("/api/personas/framework", json=TWO_AXES)).json()
        persona = fw["personas"][0]
        r = await c.patch(f"/api/personas/{persona['id']}", json={"title": "\u200b"})
        assert r.status_code == 422, r.text
        r = await c.patch(f"/api/personas/{persona['id']}", json={"enabled": "no"})
        assert r.status_code == 422, r.text
        after = (await c.get("/api/personas/framework")).json()["personas"][0]
        assert (after["title"], after["enabled"]) == (persona["title"], persona["enabled"])
