"""Charts as SVG strings, drawn on the server from `Charts` data (the page and the reports use
the same ones). A small own module rather than a plotting library: horizontal bars are all the
insights need, and the output is plain, escaped, script-free SVG that any report format embeds."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from html import escape

from persona_insight.insights.schemas import Bar

WIDTH = 480
ROW = 22
LABEL_W = 200
# The label column holds about 32 Latin letters at the labels' size, half as many Hangul.
MAX_LABEL = 32


def _width(char: str) -> int:
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _short(text: str) -> str:
    if sum(_width(c) for c in text) <= MAX_LABEL:
        return text
    out, used = "", 1  # room for the ellipsis
    for char in text:
        if used + _width(char) > MAX_LABEL:
            break
        out += char
        used += _width(char)
    return out.rstrip() + "…"


def for_display(key: str, data: list[Bar], _: Callable[[str], str]) -> list[Bar]:
    """A chart's bars as a reader sees them (the page and the reports): sentiments and "no
    persona" named in the reader's language, and no bars at all when every one is 0 (a filter
    that matches nothing), rather than a row of zeros."""
    if not any(bar.value for bar in data):
        return []
    named = {"negative": _("Negative"), "neutral": _("Neutral"), "positive": _("Positive")}
    out = []
    for bar in data:
        label = bar.label
        if key == "sentiment":
            label = named.get(bar.key, label)
        elif key == "personas" and not bar.key:
            label = _("No persona")
        out.append(bar.model_copy(update={"label": label}))
    return out


def bars(title: str, data: list[Bar], *, percent: bool = False, empty: str = "—") -> str:
    """A horizontal bar chart; `percent` shows values (0..1) as percentages; `empty` is what
    an empty one says."""
    height = ROW * max(len(data), 1) + 28
    top = max((b.value for b in data), default=0.0) or 1.0
    span = WIDTH - LABEL_W - 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-label="{escape(title)}" class="chart">',
        f'<text x="0" y="16" font-size="13" font-weight="bold">{escape(title)}</text>',
    ]
    for i, bar in enumerate(data):
        y = 28 + i * ROW
        w = max(1.0, span * bar.value / top)
        shown = f"{bar.value * 100:.0f}%" if percent else f"{bar.value:g}"
        parts.append(
            f'<text x="0" y="{y + 14}" font-size="12">{escape(_short(bar.label))}</text>'
            f'<rect x="{LABEL_W}" y="{y + 3}" width="{w:.1f}" height="{ROW - 8}" rx="2"/>'
            f'<text x="{LABEL_W + w + 6:.1f}" y="{y + 14}" font-size="12">{shown}</text>'
        )
    if not data:
        parts.append(f'<text x="0" y="42" font-size="12">{escape(empty)}</text>')
    parts.append("</svg>")
    return "".join(parts)
