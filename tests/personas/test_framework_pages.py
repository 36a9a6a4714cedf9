"""The framework page for company admins, without JavaScript: axes and types in one form (empty
rows add, a cleared name removes), the API's 422 rules and 409 for types in use shown on the
form with nothing written, a confirmed removal, each combination's title, off switch and
picture; members get no such page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.insights.support import analysed, analysis
from tests.security.world import PNG
from tests.support import add_member, client, make_project, make_user
from tests.web.conftest import sign_in

pytestmark = pytest.mark.anyio


def _form(axes: list[tuple[str, list[str]]], ids: dict[str, str] | None = None) -> dict[str, str]:
    """The fields the page posts; `ids` keeps existing axes and types by name."""
    ids = ids or {}
    data: dict[str, str] = {}
    for i, (name, types) in enumerate(axes):
        data |= {f"axis-{i}-id": ids.get(name, ""), f"axis-{i}-name": name}
        data[f"axis-{i}-description"] = ""
        for j, t in enumerate([*types, ""]):  # an empty row, as the page sends one
            data |= {f"axis-{i}-type-{j}-id": ids.get(t, ""), f"axis-{i}-type-{j}-name": t}
            data[f"axis-{i}-type-{j}-description"] = ""
    return data


async def _framework(app: Any, who: Any) -> dict[str, Any]:
    async with client(app, who) as c:
        body: dict[str, Any] = (await c.get("/api/personas/framework")).json()
        return body


def _ids(fw: dict[str, Any]) -> dict[str, str]:
    found = {a["name"]: a["id"] for a in fw["axes"]}
    found |= {t["name"]: t["id"] for a in fw["axes"] for t in a["types"]}
    return found


async def test_framework_form_rules_and_combinations(app: Any) -> None:
    db = app.api.state.runtime.db
    admin = await make_user(db, email="admin@acme.test", role="company_admin")
    member = await make_user(db, email="mina@acme.test")
    pid = (await make_project(app, admin, "충전"))["id"]
    await add_member(db, pid, member)
    async with await sign_in(app, admin.email, "ko") as ko:
        r = await ko.get("/admin/personas")
        assert r.status_code == 200
        assert "프레임워크" in r.text
        assert 'name="axis-0-name"' in r.text  # the empty axis to start with

        r = await ko.post(
            "/admin/personas/framework",
            data=_form([("충전", ["집", "급속"]), ("가치", ["비용", "속도"])]),
        )
        assert r.status_code == 303, r.text
        assert r.headers["location"] == "/admin/personas?notice=framework_saved#framework"
        fw = await _framework(app, admin)
        assert len(fw["personas"]) == 4
        codes = {p["code"] for p in fw["personas"]}

        # The rules, shown on the form with what was typed; nothing is written.
        r = await ko.post(
            "/admin/personas/framework", data=_form([("충전", ["집"]), ("가치", [])], _ids(fw))
        )
        assert r.status_code == 422
        assert "모든 축에 유형이 하나 이상 있어야 합니다. (가치)" in r.text
        assert 'data-code="axis_no_types"' in r.text
        r = await ko.post(
            "/admin/personas/framework", data=_form([("충전", ["집", "집"])], _ids(fw))
        )
        assert r.status_code == 422
        assert "한 축에 같은 이름의 유형이 두 개 있습니다." in r.text
        r = await ko.post(
            "/admin/personas/framework",
            data=_form(
                [
                    ("A", ["1", "2", "3", "4"]),
                    ("B", ["1", "2", "3", "4"]),
                    ("C", ["1", "2", "3", "4", "5"]),
                ]
            ),
        )
        assert r.status_code == 422
        assert "64개 페르소나를 넘습니다" in r.text
        r = await ko.post("/admin/personas/framework", data=_form([("x" * 101, ["a"])]))
        assert r.status_code == 422
        # An axis left without a name says so (it got the message about lengths).
        r = await ko.post("/admin/personas/framework", data=_form([("  ", ["웹", "모바일"])]))
        assert r.status_code == 422
        assert 'data-code="axis_name_empty"' in r.text
        assert await _framework(app, admin) == fw

        # A type an interview sits on: 409 with what happens, then confirmed.
        fast = next(p for p in fw["personas"] if p["traits"] == ["급속", "속도"])
        iid = await analysed(app, member, pid, analysis(["충전기가 고장 나요"], [], "ko"))
        async with client(app, member) as c:
            r = await c.patch(f"/api/interviews/{iid}/persona", json={"persona_code": fast["code"]})
            assert r.status_code == 200, r.text
        without_fast = _form([("충전", ["집"]), ("가치", ["비용", "속도"])], _ids(fw))
        r = await ko.post("/admin/personas/framework", data=without_fast)
        assert r.status_code == 409
        assert "인터뷰 1개가 페르소나나 유형을 잃습니다." in r.text
        assert fast["code"] in r.text
        assert 'name="confirm"' in r.text
        assert await _framework(app, admin) == fw
        r = await ko.post("/admin/personas/framework", data=without_fast | {"confirm": "on"})
        assert r.status_code == 303
        assert "notice=framework_saved_lost" in r.headers["location"]
        after = await _framework(app, admin)
        kept = {p["code"] for p in after["personas"]}
        assert len(kept) == 2
        assert kept < codes  # the remaining combinations keep their codes
        async with client(app, member) as c:
            assert (await c.get(f"/api/interviews/{iid}")).json()["persona_code"] is None

        # A combination: title, off switch, picture.
        home = next(p for p in after["personas"] if p["traits"] == ["집", "비용"])
        r = await ko.post(
            f"/admin/personas/{home['id']}/combination",
            data={"title": "알뜰한 집 충전러", "description": "밤에 충전"},
        )
        assert r.status_code == 303
        assert "notice=persona_saved" in r.headers["location"]
        changed = next(
            p for p in (await _framework(app, admin))["personas"] if p["id"] == home["id"]
        )
        assert changed["title"] == "알뜰한 집 충전러"
        assert changed["enabled"] is False  # an unticked box switches it off
        r = await ko.post(
            f"/admin/personas/{home['id']}/picture",
            files={"file": ("p.png", PNG, "image/png")},
        )
        assert "notice=persona_picture_saved" in r.headers["location"]
        async with client(app, member) as c:
            pic = await c.get(f"/api/personas/{home['id']}/picture")
            assert pic.headers["content-type"] == "image/png"
        r = await ko.post(
            f"/admin/personas/{home['id']}/picture",
            files={"file": ("p.png", b"not an image", "image/png")},
        )
        assert "problem=unsupported_image" in r.headers["location"]
        r = await ko.post(f"/admin/personas/{home['id']}/picture/delete")
        assert "notice=persona_picture_removed" in r.headers["location"]
        r = await ko.get("/admin/personas")
        assert "알뜰한 집 충전러" in r.text
        assert "꺼짐" in r.text

    async with await sign_in(app, admin.email, "en") as en:
        r = await en.get("/admin/personas")
        assert "Save the framework" in r.text

    current = await _framework(app, admin)
    async with await sign_in(app, member.email, "ko") as m:
        assert (await m.get("/admin/personas")).status_code == 404
        r = await m.post("/admin/personas/framework", data=_form([("x", ["y"])]))
        assert r.status_code == 404
        r = await m.post(f"/admin/personas/{home['id']}/combination", data={"title": "x"})
        assert r.status_code == 404
    assert await _framework(app, admin) == current
