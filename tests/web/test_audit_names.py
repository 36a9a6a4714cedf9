"""The audit log names what it is about (issue 17): an export shows the interview's title and
the project's name, linked, and its details' keys in the reader's language — not "Interview
01a23a5f" (a time-ordered id prefix shared by everything created in the same minute) and raw
`project_id`s."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import make_user
from tests.web.conftest import Browser, Setting, sign_in

pytestmark = pytest.mark.anyio


async def test_export_entry_names_and_links(
    app: Any, setting: Setting, owner_browser: Browser
) -> None:
    r = await owner_browser.get(f"/interviews/{setting.interview_id}/export.md")
    assert r.status_code == 200
    await make_user(app.api.state.runtime.db, email="boss@acme.test", role="company_admin")
    async with await sign_in(app, "boss@acme.test") as boss:
        page = (await boss.get("/admin/audit?action=export")).text
    title = (await owner_browser.http.get(f"/api/interviews/{setting.interview_id}")).json()[
        "title"
    ]
    assert f'<a href="/interviews/{setting.interview_id}" translate="no">{title}</a>' in page
    assert f'<a href="/projects/{setting.project_id}" translate="no">Research</a>' in page
    assert "<dt>형식</dt>" in page
    assert "<dt>프로젝트</dt>" in page
    assert "project_id" not in page
    assert f">{setting.interview_id[:8]}</code>" not in page


# Details that reach `audit.record` through `**`: a theme edit's changes, a purge's reason,
# an export's count, filter and job.
SPREAD = {"label", "pinned", "hidden", "merged_into", "reason", "retention_days", "kind"}
SPREAD |= {"interviews", "filters", "job_id"}
# `record`'s own parameters, not details.
OWN = {"company_id", "actor_id", "target_type", "target_id", "ip"}


def test_every_detail_key_has_a_name_on_the_page() -> None:
    """A persona framework change showed `axes 2 removed ["P10", …] lost_interviews 0` on the
    Korean page (browser QA): keys the page had no name for were shown raw."""
    import ast
    import re
    from pathlib import Path

    import persona_insight

    root = Path(persona_insight.__file__).parent
    used = set(SPREAD)
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "record"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "audit"
            ):
                used |= {kw.arg for kw in node.keywords if kw.arg} - OWN
    template = (root / "web/templates/admin_audit.html").read_text(encoding="utf-8")
    block = template.split("{% set detail_names = {", 1)[1].split("} %}", 1)[0]
    named = set(re.findall(r'"(\w+)": _\(', block))
    assert used - named == set()
