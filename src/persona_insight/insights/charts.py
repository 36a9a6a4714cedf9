"""Charts as SVG strings, drawn on the server from `Charts` data (the page and the reports use
the same ones). A small own module rather than a plotting library: horizontal bars are all the
insights need, and the output is plain, escaped, script-free SVG that any report format embeds."""

from __future__ import annotations

from html import escape

from persona_insight.insights.schemas import Bar

WIDTH = 480
ROW = 22
LABEL_W = 200
MAX_LABEL = 32


def _short(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def bars(title: str, data: list[Bar], *, percent: bool = False) -> str:
    """A horizontal bar chart; `percent` shows values (0..1) as percentages."""
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
    parts.append("</svg>")
    return "".join(parts)
