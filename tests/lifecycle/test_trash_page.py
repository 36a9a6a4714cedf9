"""The trash says when each item will be deleted for good, in Korean and English, from the
company's retention."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from babel.dates import format_date

from tests.lifecycle.test_retention import backdate, setup_admin, trash, upload
from tests.support import client
from tests.web.conftest import sign_in

pytestmark = pytest.mark.anyio


async def test_trash_rows_show_their_purge_date(app: Any) -> None:
    admin, project = await setup_admin(app, "admin@acme.test", "Acme")
    async with client(app, admin) as c:
        r = await c.put("/api/company/retention", json={"trash_retention_days": 10})
        assert r.status_code == 200, r.text
        iid = await upload(c, project, b"Interviewer: hi\nCustomer: hello\n" * 5, "a.txt")
        await trash(c, iid)
    await backdate(app, iid, 3)
    when = (dt.datetime.now(dt.UTC) + dt.timedelta(days=7)).date()
    for language, label in (("ko", "{date}에 영구 삭제"), ("en", "Deleted for good on {date}")):
        async with await sign_in(app, admin.email, language) as browser:
            page = await browser.get(f"/projects/{project}")
            assert page.status_code == 200, page.text
            shown = label.format(date=format_date(when, format="medium", locale=language))
            assert shown in page.text, (language, shown)
            assert 'data-purge-days="10"' in page.text
