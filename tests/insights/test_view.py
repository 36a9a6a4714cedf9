"""What an answer lists: pinned themes always, then at most MAX_THEMES_PER_KIND of each kind."""

from __future__ import annotations

import uuid

from persona_insight.insights import view
from persona_insight.insights.schemas import ThemeOut


def theme(kind: str, n: int, pinned: bool = False) -> ThemeOut:
    return ThemeOut(
        id=uuid.UUID(int=n + (0 if kind == "pain" else 10_000)),
        kind="pain" if kind == "pain" else "need",
        label=f"{kind} {n}",
        computed_label=f"{kind} {n}",
        interviews=1,
        share=0.1,
        mentions=1,
        quotes=[],
        sentiment={},
        personas={},
        sections={},
        languages={},
        first_seen=None,
        last_seen=None,
        pinned=pinned,
    )


def test_listed_keeps_pinned_and_caps_each_kind() -> None:
    cap = view.MAX_THEMES_PER_KIND
    shown = [theme("pain", 0, pinned=True)]
    shown += [theme("pain", n) for n in range(1, cap + 20)]
    shown += [theme("need", n) for n in range(3)]
    out = view.listed(shown)
    assert next(t for t in out if t.kind == "pain").pinned
    assert sum(1 for t in out if t.kind == "pain") == cap + 1
    assert sum(1 for t in out if t.kind == "need") == 3
    assert out == [t for t in shown if t in out]  # order kept
