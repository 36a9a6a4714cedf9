"""The same file gives the byte-identical analysis in separate processes under different hash
seeds: `persona-insight analyze --json`, as a user would run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SAMPLES = Path(__file__).resolve().parents[2] / "src/persona_insight/demo/samples"
# Named speakers whose roles come from evidence (the old code iterated a set of labels here),
# and a header layout with timestamps.
OTTER = (
    "Mina Park  00:04\nThanks for joining. Is it okay if I record this call?\n\n"
    "Joon Lee  00:09\nSure. I run a bakery with two staff.\n\n"
    "Mina Park  01:15\nWhat takes most of your week?\n\n"
    "Joon Lee  01:20\nOrdering flour. The supplier portal logs me out every time, which is "
    "really annoying, and I need a way to reorder in one step.\n"
)


def _analyse(path: Path, seed: str) -> bytes:
    run = subprocess.run(
        [sys.executable, "-m", "persona_insight", "analyze", str(path), "--json"],
        capture_output=True,
        check=False,
        env={
            **os.environ,
            "PYTHONHASHSEED": seed,
            "PERSONA_INSIGHT_ANALYSIS_ENGINE": "offline",
        },
        timeout=300,
    )
    assert run.returncode == 0, run.stderr.decode()[-2000:]
    body = json.loads(run.stdout)
    # The whole analysis and what was repaired; `usage` holds wall-clock timings.
    return json.dumps(
        {k: body[k] for k in ("engine", "model", "repairs", "analysis")}, ensure_ascii=False
    ).encode()


@pytest.mark.parametrize("name", ["ko_travel_booking.txt", "otter.txt"])
def test_same_analysis_under_any_hash_seed(name: str, tmp_path: Path) -> None:
    path = SAMPLES / name
    if name == "otter.txt":
        path = tmp_path / name
        path.write_text(OTTER, encoding="utf-8")
    first, second = (_analyse(path, seed) for seed in ("0", "1"))
    assert first == second
    analysis = json.loads(first)["analysis"]
    assert analysis["roles"]
    assert analysis["cleaned_script"]
