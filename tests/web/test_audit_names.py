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
