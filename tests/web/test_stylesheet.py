"""The stylesheets parse as intended: every block is closed. One rule left open by a merge
(`.theme-label .tag {` with no `}`) turned everything after it into rules nested inside it, so
the "ask about this passage" panel's styles and any rule added at the end silently applied to
nothing (browsers nest CSS now, so nothing reported the error)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[2] / "src" / "persona_insight" / "web" / "static"


@pytest.mark.parametrize("path", sorted(STATIC.rglob("*.css")), ids=lambda p: p.name)
def test_every_block_is_closed(path: Path) -> None:
    text = re.sub(
        r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), path.read_text(), flags=re.S
    )
    depth = 0
    for number, line in enumerate(text.splitlines(), 1):
        depth += line.count("{") - line.count("}")
        assert depth >= 0, f"{path.name}:{number} closes a block it never opened"
    assert depth == 0, f"{path.name} leaves {depth} block(s) open"
