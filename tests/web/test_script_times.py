"""Each script line shows where it starts in the recording (m:ss, h:mm:ss past an hour) when the
transcript says: a caption file uploaded through the product, analysed by the real worker."""

from __future__ import annotations

from typing import Any

import pytest

from persona_insight.web.script import Line
from tests.support import client, make_project, make_user, wait_for_status
from tests.web.conftest import sign_in

pytestmark = pytest.mark.anyio

VTT = (
    "WEBVTT\n\n"
    "00:00:04.000 --> 00:00:07.000\n<v Jordan Lee>How do you keep track of orders today?\n\n"
    "00:01:05.250 --> 00:01:09.000\n<v Minji Kim>With a spreadsheet, and it takes hours every "
    "week because the totals never match.\n\n"
    "01:02:03.000 --> 01:02:05.000\n<v Jordan Lee>What would you change first?\n\n"
    "01:02:05.500 --> 01:02:09.000\n<v Minji Kim>I need the month-end reconciliation to be "
    "automatic.\n"
)


@pytest.mark.parametrize(
    ("start_ms", "clock", "duration"),
    [
        (None, None, None),
        (0, "0:00", "PT0S"),
        (65_250, "1:05", "PT65.25S"),
        (3_723_000, "1:02:03", "PT3723S"),
    ],
)
def test_a_lines_clock(start_ms: int | None, clock: str | None, duration: str | None) -> None:
    line = Line(
        key=1, ids=[1], speaker="answer", category=None, text="", sentiment=None, start_ms=start_ms
    )
    assert (line.clock, line.duration) == (clock, duration)


@pytest.mark.slow
async def test_caption_times_are_shown_beside_the_lines(app: Any, worker: None) -> None:
    member = await make_user(app.api.state.runtime.db, email="mina@acme.test")
    project = await make_project(app, member)
    async with client(app, member) as c:
        r = await c.post(
            "/api/workflow/async",
            data={"project_id": project["id"]},
            files={"file": ("call.vtt", VTT.encode(), "text/vtt")},
        )
    assert r.status_code == 202, r.text
    interview_id = r.json()["interview_id"]
    detail = await wait_for_status(app, member, interview_id, {"completed", "failed"})
    assert detail["status"] == "completed", detail["error"]
    async with await sign_in(app, "mina@acme.test", language="en") as browser:
        page = (await browser.get(f"/interviews/{interview_id}")).text
    assert '<time class="line-time" datetime="PT4S">0:04</time>' in page
    assert '<time class="line-time" datetime="PT65.25S">1:05</time>' in page
    assert '<time class="line-time" datetime="PT3723S">1:02:03</time>' in page
