"""Transcription progress reaches the stream at most about once a second, however often the
transcribing child writes it, and only when it moved."""

from __future__ import annotations

import asyncio
import itertools
import time
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from persona_insight.db import Actor
from persona_insight.media import progress, tasks

pytestmark = pytest.mark.anyio


async def test_progress_is_sent_at_most_once_a_second(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[tuple[float, int]] = []

    async def notify(db: Any, actor: Any, project_id: Any, interview_id: Any, percent: int) -> None:
        sent.append((time.monotonic(), percent))

    monkeypatch.setattr(tasks, "notify", notify)
    path = tmp_path / "percent"
    child = progress.ProgressFile(path)
    relay = asyncio.create_task(
        tasks._relay(None, Actor(company_id=uuid4()), uuid4(), uuid4(), path)  # type: ignore[arg-type]
    )
    started = time.monotonic()
    try:
        for percent in range(100):  # a child writing every 35 ms for 3.5 s
            child.write(percent)
            await asyncio.sleep(0.035)
        await asyncio.sleep(1.2)  # nothing moves: nothing more is sent
    finally:
        relay.cancel()
        with pytest.raises(asyncio.CancelledError):
            await relay
    took = time.monotonic() - started
    assert 2 <= len(sent) <= took / tasks.PROGRESS_EVERY_S + 1, sent
    gaps = [b - a for (a, _), (b, _) in itertools.pairwise(sent)]
    assert min(gaps) >= tasks.PROGRESS_EVERY_S * 0.9, gaps
    percents = [p for _, p in sent]
    assert percents == sorted(set(percents)), percents
